package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"docledger/adapters/signature"
	"docledger/cmd/internal/app"
)

// runSignature dispatches `ledgerctl signature SUBCOMMAND`.
func runSignature(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: ledgerctl signature verify --cms FILE [--data FILE] [--trust DIR] [--at RFC3339] [--offline] [--ocsp URL]")
		return 2
	}
	return runSignatureVerify(ctx, args[1:], stdout, stderr)
}

// runSignatureVerify verifies a CMS from files and prints the evidence
// record as JSON. Exit status: 0 valid (with --offline: valid except for
// the revocation check it skipped), 1 not valid, 2 usage.
func runSignatureVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("signature verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cmsFile := fs.String("cms", "", "CMS/PKCS#7 signature file: DER, PEM or base64 (required)")
	dataFile := fs.String("data", "", "signed content, for a detached signature")
	trustDir := fs.String("trust", os.Getenv("LEDGER_TRUST_DIR"), "directory of trusted NCA RK root and intermediate certificates (default $LEDGER_TRUST_DIR)")
	at := fs.String("at", "", "when the signature was received (RFC 3339): the signing time when the CMS has no timestamp; default now")
	offline := fs.Bool("offline", false, "skip network revocation checks (the verdict says so)")
	ocspURL := fs.String("ocsp", "", "OCSP responder to ask instead of the one named in the certificate")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cmsFile == "" || *trustDir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "ledgerctl signature verify: --cms and --trust (or LEDGER_TRUST_DIR) are required")
		fs.Usage()
		return 2
	}
	var received time.Time
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			fmt.Fprintf(stderr, "ledgerctl signature verify: --at: %v\n", err)
			return 2
		}
		received = t
	}
	cms, err := os.ReadFile(*cmsFile)
	if err != nil {
		return fail(stderr, err)
	}
	var data []byte
	if *dataFile != "" {
		if data, err = os.ReadFile(*dataFile); err != nil {
			return fail(stderr, err)
		}
	}
	trust, err := signature.LoadTrustDir(*trustDir)
	if err != nil {
		return fail(stderr, err)
	}
	v, err := signature.NewVerifier(signature.Config{Trust: trust, Offline: *offline, OCSPResponder: *ocspURL,
		HTTPClient: app.TrustDirClient(*trustDir)})
	if err != nil {
		return fail(stderr, err)
	}
	ev, verr := v.Verify(ctx, signature.Request{CMS: cms, Content: data, ReceivedAt: received})
	if ev == nil {
		// The input did not parse: still answer with a record of why.
		var e *signature.Error
		errors.As(verr, &e)
		ev = &signature.Evidence{Version: signature.EvidenceVersion, VerifiedAt: time.Now().UTC(), Verdict: signature.VerdictInvalid,
			Reasons: []signature.Reason{{Code: signature.CodeOf(verr), Message: verr.Error(), Signer: -1}}}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ev); err != nil {
		return fail(stderr, err)
	}
	for i, s := range ev.Signers {
		reportSigner(stderr, fmt.Sprintf("signer %d", i), s)
		for j, cs := range s.Countersignatures {
			reportSigner(stderr, fmt.Sprintf("  countersignature %d", j), cs)
		}
	}
	switch {
	case verr == nil && ev.Verdict == signature.VerdictValid:
		fmt.Fprintln(stderr, "signature: valid")
		return 0
	case verr == nil && ev.Verdict == signature.VerdictValidUncheckedRevocation && *offline:
		fmt.Fprintln(stderr, "signature: valid, revocation not checked (--offline)")
		return 0
	case verr == nil:
		fmt.Fprintf(stderr, "signature: %s\n", ev.Verdict)
		return 1
	}
	fmt.Fprintf(stderr, "signature: invalid: %v\n", verr)
	return 1
}

// reportSigner prints one line per signer on w: algorithm, IIN, BIN,
// roles, signing time and its source, verdict (and the first reason).
func reportSigner(w io.Writer, label string, s signature.SignerEvidence) {
	dash := func(v string) string {
		if v == "" {
			return "-"
		}
		return v
	}
	roles := make([]string, 0, len(s.Identity.Roles))
	for _, r := range s.Identity.Roles {
		roles = append(roles, r.Name())
	}
	signed := "-"
	if !s.SigningTime.IsZero() {
		signed = s.SigningTime.UTC().Format(time.RFC3339) + " (" + string(s.SigningTimeSource) + ")"
	}
	verdict := string(s.Verdict)
	if len(s.Reasons) > 0 {
		verdict += ": " + string(s.Reasons[0].Code)
	}
	fmt.Fprintf(w, "%s: algorithm %s; IIN %s; BIN %s; roles %s; signed %s; %s\n", label,
		signature.AlgorithmName(s.SignatureAlgorithm, s.DigestAlgorithm), dash(s.Identity.IIN), dash(s.Identity.BIN),
		dash(strings.Join(roles, ",")), signed, verdict)
}
