package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"docledger/adapters/pgtest"
	"docledger/adapters/signature"
	"docledger/cmd/internal/app"
	"docledger/cmd/internal/demo"
)

// TestDemo loads the demo into a real PostgreSQL twice (the second load adds
// nothing), checks the log and the read models have what the demo promises,
// and that a CMS from ledgerctl demo sign verifies against the demo's trust
// directory with its CRL.
func TestDemo(t *testing.T) {
	t.Setenv("DATABASE_URL", pgtest.NewDatabase(t))
	pki := t.TempDir()
	t.Setenv("LEDGER_DEMO_PKI", pki)
	t.Setenv("LEDGER_TRUST_DIR", "")
	if code, out, errOut := runCLI(t, "demo"); code != 0 || !strings.Contains(out, "45 commands, 45 new commands applied") {
		t.Fatalf("demo: %d %q %q", code, out, errOut)
	}
	types := func() map[string]int {
		code, out, errOut := runCLI(t, "events", "tail")
		if code != 0 {
			t.Fatalf("events tail: %d %q", code, errOut)
		}
		n := map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var e struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatal(err)
			}
			n[e.Type]++
		}
		return n
	}
	first := types()
	want := map[string]int{
		"offer.version_published": 7, "offer.version_withdrawn": 1, "offer.amendment_notice_sent": 1,
		"party.registered": 5, "party.registration_stage_completed": 1, "party.offer_accepted": 5,
		"party.user_added": 4, "party.user_removed": 1, "party.org_unit_opened": 2, "party.certificate_bound": 4,
		"party.tariff_accepted": 1, "party.amendment_objected": 1, "party.requisites_changed": 1,
		"party.compromise_reported": 1, "party.termination_notified": 1,
		"document.registered": 5, "document.sent": 4, "document.delivered": 2,
	}
	for typ, n := range want {
		if first[typ] != n {
			t.Errorf("%d %s events, want %d", first[typ], typ, n)
		}
	}
	// A second load, even after a restart with the PKI kept, adds nothing.
	if code, out, errOut := runCLI(t, "demo"); code != 0 || !strings.Contains(out, "0 new commands applied") {
		t.Fatalf("demo again: %d %q %q", code, out, errOut)
	}
	again := types()
	for typ, n := range first {
		if again[typ] != n {
			t.Errorf("after a second load: %d %s events, had %d", again[typ], typ, n)
		}
	}

	// The read models.
	for _, m := range []string{"parties", "acceptances", "inbox"} {
		if code, _, errOut := runCLI(t, "projections", "rebuild", m); code != 0 {
			t.Fatalf("rebuild %s: %q", m, errOut)
		}
	}
	for _, p := range demo.Parties {
		code, out, errOut := runCLI(t, "parties", "show", p.ID().String())
		var shown struct {
			IdentityNumber string `json:"identity_number"`
			Profile        string `json:"profile"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown.IdentityNumber != p.IdentityNumber || shown.Profile != p.Profile {
			t.Errorf("parties show %s: %d %q %q", p.Key, code, out, errOut)
		}
		code, out, errOut = runCLI(t, "parties", "acceptance-proof", p.ID().String())
		var proof struct {
			Acceptances []struct {
				OfferID   string          `json:"offer_id"`
				Trigger   string          `json:"trigger"`
				Signature json.RawMessage `json:"signature"`
			} `json:"acceptances"`
		}
		if code != 0 || json.Unmarshal([]byte(out), &proof) != nil || len(proof.Acceptances) != 1 || proof.Acceptances[0].OfferID != "demo-"+p.Key+"-offer" {
			t.Errorf("acceptance proof of %s: %d %q %q", p.Key, code, out, errOut)
			continue
		}
		if a := proof.Acceptances[0]; a.Trigger == "eds_signed" {
			var ev signature.Evidence
			if err := json.Unmarshal(a.Signature, &ev); err != nil || ev.Verdict != signature.VerdictValid ||
				ev.Signers[0].Revocation.Method != "crl" || ev.Signers[0].Revocation.Status != signature.StatusGood {
				t.Errorf("%s's acceptance signature: %v %s", p.Key, err, a.Signature)
			}
		}
	}

	// ledgerctl demo sign: a CMS that verifies against the trust directory,
	// revocation checked on the demo CRL, signed by the user asked for.
	file := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(file, []byte("hello, docledger\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "demo", "sign", file, "--as", "erlan")
	if code != 0 {
		t.Fatalf("demo sign: %d %q", code, errOut)
	}
	cms, err := base64.StdEncoding.DecodeString(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	trustDir := filepath.Join(pki, "trust")
	trust, err := signature.LoadTrustDir(trustDir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.NewVerifier(signature.Config{Trust: trust, HTTPClient: app.TrustDirClient(trustDir)})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms, ReceivedAt: time.Now()})
	if err != nil || ev.Verdict != signature.VerdictValid || ev.Signers[0].Identity.IIN != "800317300506" || ev.Signers[0].Revocation.Method != "crl" {
		t.Fatalf("demo sign's CMS: %v %+v", err, ev)
	}
	// Detached, to a file, and the AUTH key (for login).
	der := filepath.Join(t.TempDir(), "x.p7s")
	if code, _, errOut := runCLI(t, "demo", "sign", file, "--as", "serik", "--detached", "--auth", "--out", der); code != 0 {
		t.Fatalf("demo sign --detached --auth --out: %q", errOut)
	}
	raw, _ := os.ReadFile(der)
	content, _ := os.ReadFile(file)
	ev, err = v.Verify(context.Background(), signature.Request{CMS: raw, Content: content, Purpose: signature.PurposeLogin})
	if err != nil || !ev.Detached || ev.Signers[0].Identity.BIN != "210640001200" {
		t.Fatalf("detached AUTH CMS: %v %+v", err, ev)
	}
	if code, _, errOut := runCLI(t, "demo", "sign", file, "--as", "nobody"); code != 2 || !strings.Contains(errOut, "valid: serik, dana") {
		t.Fatalf("demo sign --as nobody: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "demo", "users"); code != 0 || !strings.Contains(out, demo.Parties[0].ID().String()) || !strings.Contains(out, "erlan") {
		t.Fatalf("demo users: %d %q", code, out)
	}
}
