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
