package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSignatureVerify(t *testing.T) {
	p := sigtest.New(t)
	trust := p.TrustDir(t)
	dir := t.TempDir()
	doc := []byte("Счёт-фактура №5")
	leaf := p.Issue(t, sigtest.Spec{IIN: "850505400456", BIN: "123456789012", Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	data := writeFile(t, dir, "doc.txt", doc)
	detached := writeFile(t, dir, "doc.p7s", []byte(base64.StdEncoding.EncodeToString(p.Sign(t, leaf, doc, sigtest.SignOptions{Detached: true, Timestamp: true}))))
	attached := writeFile(t, dir, "att.p7b", p.Sign(t, leaf, doc, sigtest.SignOptions{}))
	other := writeFile(t, dir, "other.txt", []byte("другой документ"))
	revokedLeaf := p.Issue(t, sigtest.Spec{IIN: "850505400456", Key: sigtest.ECDSAP256})
	p.SetStatus(revokedLeaf.Cert, sigtest.Revoked, revokedLeaf.Cert.NotBefore)
	revoked := writeFile(t, dir, "revoked.p7b", p.Sign(t, revokedLeaf, doc, sigtest.SignOptions{}))
	garbage := writeFile(t, dir, "garbage.p7b", []byte("not a signature"))

	cases := []struct {
		name    string
		args    []string
		status  int
		verdict signature.Verdict
		code    signature.Code
	}{
		{"detached with timestamp", []string{"--cms", detached, "--data", data, "--trust", trust}, 0, signature.VerdictValid, ""},
		{"attached", []string{"--cms", attached, "--trust", trust, "--at", "2026-01-02T10:00:00+05:00"}, 1, signature.VerdictInvalid, signature.CodeCertNotYetValid},
		{"attached now", []string{"--cms", attached, "--trust", trust}, 0, signature.VerdictValid, ""},
		{"offline", []string{"--cms", attached, "--trust", trust, "--offline"}, 0, signature.VerdictValidUncheckedRevocation, ""},
		{"wrong data", []string{"--cms", detached, "--data", other, "--trust", trust}, 1, signature.VerdictInvalid, signature.CodeContentMismatch},
		{"revoked", []string{"--cms", revoked, "--trust", trust}, 1, signature.VerdictInvalid, signature.CodeCertRevoked},
		{"garbage", []string{"--cms", garbage, "--trust", trust}, 1, signature.VerdictInvalid, signature.CodeMalformedInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			st := run(context.Background(), append([]string{"signature", "verify"}, c.args...), &out, &errb)
			if st != c.status {
				t.Fatalf("exit %d, want %d; stderr %s", st, c.status, errb.String())
			}
			var ev signature.Evidence
			if err := json.Unmarshal(out.Bytes(), &ev); err != nil {
				t.Fatalf("stdout is not the evidence JSON: %v\n%s", err, out.String())
			}
			if ev.Verdict != c.verdict {
				t.Fatalf("verdict %s, want %s", ev.Verdict, c.verdict)
			}
			if c.code != "" && (len(ev.Reasons) == 0 || ev.Reasons[0].Code != c.code) {
				t.Fatalf("reasons %+v, want %s", ev.Reasons, c.code)
			}
			if c.status == 0 {
				s := ev.Signers[0]
				if s.Identity.IIN != "850505400456" || s.Identity.BIN != "123456789012" || !s.Identity.HasRole(signature.RoleFirstHead) ||
					len(s.Chain) != 3 || s.Revocation == nil {
					t.Fatalf("signer %+v", s)
				}
				if c.name == "detached with timestamp" && s.SigningTimeSource != signature.SourceTimestamp {
					t.Fatalf("signing time source %s", s.SigningTimeSource)
				}
				if c.name == "offline" && (!ev.Offline || !strings.Contains(s.Revocation.Note, "offline")) {
					t.Fatalf("offline not said: %+v", s.Revocation)
				}
			}
		})
	}
	for _, args := range [][]string{{"signature"}, {"signature", "verify"}, {"signature", "verify", "--cms", attached}, {"signature", "verify", "--cms", attached, "--trust", trust, "--at", "yesterday"}} {
		var out, errb bytes.Buffer
		t.Setenv("LEDGER_TRUST_DIR", "")
		if st := run(context.Background(), args, &out, &errb); st != 2 {
			t.Fatalf("%v: exit %d, want 2 (usage)", args, st)
		}
	}
}

// The report on stderr gives, per signer, the algorithm, IIN, BIN, roles,
// signing time and its source, and the verdict: for a GOST signature made
// at test time, and for NCANode's real CMS (a GOST-2015 signer and an RSA
// signer whose certificate had expired) verified at its signing time
// against the NCA GOST test root.
func TestSignatureVerifyReportsEachSigner(t *testing.T) {
	p := sigtest.NewGOST(t)
	dir := t.TempDir()
	doc := []byte("Счёт-фактура №6")
	leaf := p.Issue(t, sigtest.Spec{IIN: "850505400456", BIN: "123456789012", Key: sigtest.GOST2015_512,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	cms := writeFile(t, dir, "gost.p7s", p.Sign(t, leaf, doc, sigtest.SignOptions{Timestamp: true}))
	var out, errb bytes.Buffer
	if st := run(context.Background(), []string{"signature", "verify", "--cms", cms, "--trust", p.TrustDir(t)}, &out, &errb); st != 0 {
		t.Fatalf("exit %d: %s", st, errb.String())
	}
	want := "signer 0: algorithm GOST 34.10-2015 (512), GOST 34.11-2015 (512); IIN 850505400456; BIN 123456789012; roles organisation,first_head; signed "
	if !strings.Contains(errb.String(), want) || !strings.Contains(errb.String(), "(timestamp); valid\n") {
		t.Fatalf("report:\n%s", errb.String())
	}

	nca := "../../adapters/signature/testdata/nca/"
	trust := t.TempDir()
	for _, f := range []string{"root_test_gost_2022.cer", "nca_gost2022_test.cer"} {
		b, err := os.ReadFile(nca + f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, trust, f, b)
	}
	out.Reset()
	errb.Reset()
	st := run(context.Background(), []string{"signature", "verify", "--cms", nca + "cms_gost2015_rsa_attached.der", "--trust", trust,
		"--at", "2022-09-27T21:17:59Z", "--offline"}, &out, &errb)
	if st != 1 {
		t.Fatalf("exit %d: %s", st, errb.String())
	}
	for _, line := range []string{
		"signer 0: algorithm GOST 34.10-2015 (512), GOST 34.11-2015 (512); IIN 123456789012; BIN -; roles individual; signed 2022-09-27T21:17:59Z (received); valid_unchecked_revocation\n",
		"signer 1: algorithm RSA, SHA-256; IIN 123456789011; BIN -; roles individual; signed 2022-09-27T21:17:59Z (received); invalid: certificate_expired\n",
	} {
		if !strings.Contains(errb.String(), line) {
			t.Fatalf("report lacks %q:\n%s", line, errb.String())
		}
	}
}
