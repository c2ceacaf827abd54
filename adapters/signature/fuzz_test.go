package signature

import (
	"bytes"
	"context"
	"testing"
	"time"

	"docledger/adapters/signature/sigtest"
)

// FuzzVerify feeds arbitrary bytes as CMS (and as detached content) to the
// parsing and verification entry points, and to the GOST key, timestamp
// token and GOST OCSP parsers: nothing may panic and nothing but a real
// signature by the test PKI may come out valid. The seeds include real NCA
// GOST material (testdata/nca) and GOST CMS made at test time.
func FuzzVerify(f *testing.F) {
	p := sigtest.NewAt(f, fuzzClock)
	leaf := p.Issue(f, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	f.Add(p.Sign(f, leaf, []byte("seed"), sigtest.SignOptions{}), []byte(""))
	f.Add(p.Sign(f, leaf, []byte("seed"), sigtest.SignOptions{Detached: true}), []byte("seed"))
	gp := sigtest.NewGOSTAt(f, fuzzClock)
	gleaf := gp.Issue(f, sigtest.Spec{IIN: "900101300123", Key: sigtest.GOST2015_512})
	f.Add(gp.Sign(f, gleaf, []byte("seed"), sigtest.SignOptions{Countersigner: gleaf, KalkanOIDs: true}), []byte(""))
	f.Add(gp.Sign(f, gleaf, []byte("seed"), sigtest.SignOptions{Detached: true, NoSignedAttributes: true}), []byte("seed"))
	gostIssuer := ncaCert(f, "nca_gost2022_test.cer")
	f.Add([]byte("MIIB"), []byte(""))
	f.Add([]byte("-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n"), []byte(""))
	v, err := NewVerifier(Config{Trust: NewTrustStore(nil, nil), Offline: true})
	if err == nil {
		f.Fatal("verifier without roots accepted")
	}
	v, err = NewVerifier(Config{Trust: NewTrustStore(p.Trust(), nil), Offline: true, Clock: p.Now})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cms, data []byte) {
		if len(data) == 0 {
			data = nil // attached
		}
		if _, err := parseCMS(cms); err != nil && CodeOf(err) == "" {
			t.Fatalf("parse error without a code: %v", err)
		}
		_, _ = decodeDER(cms)
		_, _ = parseCertificates(cms)
		if _, err := parseGOSTKey(cms); err != nil && CodeOf(err) == "" {
			t.Fatalf("GOST key error without a code: %v", err)
		}
		if _, err := parseTimestampToken(cms); err != nil && CodeOf(err) == "" {
			t.Fatalf("timestamp error without a code: %v", err)
		}
		if _, err := parseOCSP(cms, nil, gostIssuer); err == nil && !bytes.Contains(cms, gostIssuer.RawSubject[:8]) {
			t.Fatal("OCSP answer accepted without the issuer's name")
		}
		ev, err := v.Verify(context.Background(), Request{CMS: cms, Content: data})
		if err != nil {
			if CodeOf(err) == "" {
				t.Fatalf("verify error without a code: %v", err)
			}
			if ev != nil && ev.Verdict != VerdictInvalid {
				t.Fatalf("refused signature with verdict %s", ev.Verdict)
			}
			return
		}
		// Valid: it must really be signed by the test PKI's leaf.
		for _, s := range ev.Signers {
			if s.Identity.SerialNumber != leaf.Cert.SerialNumber.Text(16) {
				t.Fatalf("valid signature by an unknown signer %+v", s.Identity)
			}
		}
	})
}

// fuzzClock is the fuzz PKIs' and verifier's time: a fixed date.
func fuzzClock() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
