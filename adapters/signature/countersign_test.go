package signature_test

import (
	"context"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

// A countersignature (RFC 5652 11.4) is verified as a signature over the
// signer's signature value, with its own chain, key usage and revocation
// (loopback OCSP), for ECDSA and GOST keys; one over other bytes, or by a
// revoked certificate, makes the signer fail; Reverify re-checks it.
func TestCountersignatures(t *testing.T) {
	for name, mk := range map[string]func(testing.TB, func() time.Time) *sigtest.PKI{"ECDSA PKI": sigtest.NewAt, "GOST PKI": sigtest.NewGOSTAt} {
		t.Run(name, func(t *testing.T) {
			p := mk(t, fixedClock)
			v := verifier(t, p, nil)
			ctx := context.Background()
			key := sigtest.ECDSAP256
			if name == "GOST PKI" {
				key = sigtest.GOST2015_512
			}
			signer := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: key})
			notary := p.Issue(t, sigtest.Spec{IIN: "700101300789", Key: key})
			ev, err := v.Verify(ctx, signature.Request{CMS: p.Sign(t, signer, content, sigtest.SignOptions{Countersigner: notary})})
			mustValid(t, ev, err)
			s := ev.Signers[0]
			if len(ev.Signers) != 1 || len(s.Countersignatures) != 1 {
				t.Fatalf("%d signers, %d countersignatures", len(ev.Signers), len(s.Countersignatures))
			}
			cs := s.Countersignatures[0]
			if cs.Identity.IIN != "700101300789" || cs.Verdict != signature.VerdictValid || cs.Revocation == nil || cs.Revocation.Method != "ocsp" {
				t.Fatalf("countersignature %+v", cs)
			}
			again, err := v.Reverify(ctx, ev)
			mustValid(t, again, err)
			if len(again.Signers[0].Countersignatures) != 1 {
				t.Fatal("Reverify lost the countersignature")
			}
			forged := *ev
			forged.Signers = append([]signature.SignerEvidence{}, ev.Signers...)
			forged.Signers[0].Countersignatures = []signature.SignerEvidence{cs}
			forged.Signers[0].Countersignatures[0].ContentDigest = append([]byte{}, cs.ContentDigest...)
			forged.Signers[0].Countersignatures[0].ContentDigest[0] ^= 1
			_, err = v.Reverify(ctx, &forged)
			wantCode(t, err, signature.CodeEvidenceInvalid)

			_, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, signer, content, sigtest.SignOptions{Countersigner: notary, CountersignOf: []byte("another signature")})})
			wantCode(t, err, signature.CodeContentMismatch)

			p.SetStatus(notary.Cert, sigtest.Revoked, p.Now().Add(-time.Hour))
			ev, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, signer, content, sigtest.SignOptions{Countersigner: notary})})
			wantCode(t, err, signature.CodeCertRevoked)
			if ev.Signers[0].Reasons[0].Message[:len("countersignature 0")] != "countersignature 0" {
				t.Fatalf("reason %+v", ev.Signers[0].Reasons[0])
			}
		})
	}
}

// An intermediate CA certificate that names a CRL (as NCA's do) is checked
// against it: revoked before the signing time refuses, after it does not,
// no answer refuses by default; the answer is cached.
func TestIntermediateRevocation(t *testing.T) {
	for name, mk := range map[string]func(testing.TB, func() time.Time) *sigtest.PKI{"ECDSA PKI": sigtest.NewAt, "GOST PKI": sigtest.NewGOSTAt} {
		t.Run(name, func(t *testing.T) {
			p := mk(t, fixedClock)
			inter := p.UseRevocableIntermediate(t)
			v := verifier(t, p, func(c *signature.Config) { c.OCSPCache = signature.NewOCSPCache(time.Minute) })
			ctx := context.Background()
			key := sigtest.RSA2048
			if name == "GOST PKI" {
				key = sigtest.GOST2015_512
			}
			leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: key})
			cms := p.Sign(t, leaf, content, sigtest.SignOptions{})
			ev, err := v.Verify(ctx, signature.Request{CMS: cms})
			mustValid(t, ev, err)
			cr := ev.Signers[0].ChainRevocation
			if len(cr) != 1 || cr[0].Method != "crl" || cr[0].Status != signature.StatusGood || cr[0].Cached {
				t.Fatalf("intermediate revocation %+v", cr)
			}
			ev, err = v.Verify(ctx, signature.Request{CMS: cms})
			mustValid(t, ev, err)
			if cr := ev.Signers[0].ChainRevocation; !cr[0].Cached || !ev.Signers[0].Revocation.Cached {
				t.Fatalf("second answer not from the cache: %+v", cr)
			}

			fresh := verifier(t, p, nil)
			p.SetStatus(inter.Cert, sigtest.Revoked, p.Now().Add(time.Hour)) // after the signing time
			ev, err = fresh.Verify(ctx, signature.Request{CMS: cms})
			mustValid(t, ev, err)
			if cr := ev.Signers[0].ChainRevocation; cr[0].Status != signature.StatusRevoked {
				t.Fatalf("intermediate revocation %+v", cr)
			}
			p.SetStatus(inter.Cert, sigtest.Revoked, p.Now().Add(-time.Hour))
			_, err = fresh.Verify(ctx, signature.Request{CMS: cms})
			wantCode(t, err, signature.CodeCertRevoked)
			p.SetStatus(inter.Cert, sigtest.Good, time.Time{})
			p.SetCRLDown(true)
			_, err = fresh.Verify(ctx, signature.Request{CMS: cms})
			wantCode(t, err, signature.CodeRevocationUnavailable)
		})
	}
}
