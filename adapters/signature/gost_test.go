package signature_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

// Signatures made in the test with GOST keys (generated on the curves NCA
// uses) under a GOST CA verify through the same code path as the NCA
// material: CMS attached and detached, with and without signed attributes,
// with Kalkan's OIDs; the chain, the OCSP answer (GOST-signed, on loopback)
// and the key usage are checked.
func TestGOSTSignaturesMadeAtTestTime(t *testing.T) {
	p := sigtest.NewGOSTAt(t, fixedClock)
	v := verifier(t, p, nil)
	ctx := context.Background()
	for _, kt := range []struct {
		name      string
		key       sigtest.KeyType
		sig, hash string
	}{
		{"GOST 34.10-2015 (512)", sigtest.GOST2015_512, "1.2.398.3.10.1.1.2.3.2", "1.2.398.3.10.1.3.3"},
		{"GOST 34.10-2015 (256)", sigtest.GOST2015_256, "1.2.398.3.10.1.1.2.3.1", "1.2.398.3.10.1.3.2"},
		{"GOST 34.310-2004", sigtest.GOST2004, "1.2.398.3.10.1.1.1.2", "1.2.398.3.10.1.3.1"},
	} {
		t.Run(kt.name, func(t *testing.T) {
			leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", BIN: "123456789021", CommonName: "ТЕСТОВ ТЕСТ", Key: kt.key,
				Roles: []string{string(signature.RoleFirstHead)}})
			for name, c := range map[string]struct {
				o       sigtest.SignOptions
				content []byte
				sigOID  string
			}{
				"attached":            {sigtest.SignOptions{}, nil, kt.sig},
				"detached":            {sigtest.SignOptions{Detached: true}, content, kt.sig},
				"Kalkan OIDs":         {sigtest.SignOptions{KalkanOIDs: true}, nil, ""},
				"no signed attribute": {sigtest.SignOptions{NoSignedAttributes: true, Detached: true}, content, kt.sig},
			} {
				ev, err := v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, c.o), Content: c.content})
				mustValid(t, ev, err)
				s := ev.Signers[0]
				if (c.sigOID != "" && s.SignatureAlgorithm != c.sigOID) || s.DigestAlgorithm != kt.hash {
					t.Fatalf("%s: algorithms %s %s", name, s.SignatureAlgorithm, s.DigestAlgorithm)
				}
				if s.Identity.IIN != "900101300123" || s.Identity.BIN != "123456789021" || len(s.Chain) != 3 ||
					s.Revocation.Method != "ocsp" || !s.Revocation.NonceMatched {
					t.Fatalf("%s: identity %+v, chain %d, revocation %+v", name, s.Identity, len(s.Chain), s.Revocation)
				}
			}
			cms := p.Sign(t, leaf, content, sigtest.SignOptions{Detached: true})
			_, err := v.Verify(ctx, signature.Request{CMS: cms, Content: []byte("Акт выполненных работ №18")})
			wantCode(t, err, signature.CodeContentMismatch)
			raw := p.Sign(t, leaf, content, sigtest.SignOptions{NoSignedAttributes: true, Detached: true})
			other := p.Sign(t, leaf, []byte("other"), sigtest.SignOptions{NoSignedAttributes: true, Detached: true})
			_, err = v.Verify(ctx, signature.Request{CMS: raw, Content: []byte("other")})
			wantCode(t, err, signature.CodeBadSignature)
			_, err = v.Verify(ctx, signature.Request{CMS: other, Content: []byte("other")})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A GOST TSA's token (on loopback) gives the signing time; a GOST CA's OCSP
// answer through a delegated GOST responder, and its GOST-signed CRL when
// OCSP is down, give revocation; an RSA key certified by the GOST CA and
// a GOST key sign one CMS together.
func TestGOSTTimestampRevocationAndMixedSigners(t *testing.T) {
	p := sigtest.NewGOSTAt(t, fixedClock)
	v := verifier(t, p, nil)
	ctx := context.Background()
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.GOST2015_512})

	tsaTime := p.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	p.SetTSATime(func() time.Time { return tsaTime })
	ev, err := v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true})})
	mustValid(t, ev, err)
	if s := ev.Signers[0]; s.SigningTimeSource != signature.SourceTimestamp || !s.SigningTime.Equal(tsaTime) {
		t.Fatalf("signing time %v from %s", s.SigningTime, s.SigningTimeSource)
	}
	// The evidence re-verifies offline: GOST signature, token, chain and
	// the stored GOST-signed OCSP answer.
	again, err := v.Reverify(ctx, ev)
	mustValid(t, again, err)
	tampered := *ev
	tampered.Signers = []signature.SignerEvidence{ev.Signers[0]}
	tampered.Signers[0].ContentDigest = append([]byte{}, ev.Signers[0].ContentDigest...)
	tampered.Signers[0].ContentDigest[3] ^= 1
	_, err = v.Reverify(ctx, &tampered)
	wantCode(t, err, signature.CodeContentMismatch)
	_, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true, TimestampOf: []byte("another signature")})})
	wantCode(t, err, signature.CodeTimestampInvalid)

	p.SetResponder(p.NewResponder(t, false))
	ev, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{})})
	mustValid(t, ev, err)
	p.SetResponder(p.NewResponder(t, true))
	p.SetCRLDown(true)
	_, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{})})
	wantCode(t, err, signature.CodeRevocationUnavailable)
	p.SetResponder(nil)
	p.SetCRLDown(false)

	revoked := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.GOST2015_512})
	p.SetStatus(revoked.Cert, sigtest.Revoked, p.Now().Add(-time.Hour))
	_, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, revoked, content, sigtest.SignOptions{})})
	wantCode(t, err, signature.CodeCertRevoked)
	p.SetOCSPDown(true)
	ev, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, revoked, content, sigtest.SignOptions{})})
	wantCode(t, err, signature.CodeCertRevoked)
	if r := ev.Signers[0].Revocation; r.Method != "crl" {
		t.Fatalf("revocation %+v", r)
	}
	ev, err = v.Verify(ctx, signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{})})
	mustValid(t, ev, err)
	p.SetOCSPDown(false)

	rsaLeaf := p.Issue(t, sigtest.Spec{IIN: "800101300456", Key: sigtest.RSA2048})
	both := p.AddSigner(t, p.Sign(t, leaf, content, sigtest.SignOptions{}), nil, rsaLeaf, sigtest.SignOptions{})
	ev, err = v.Verify(ctx, signature.Request{CMS: both})
	mustValid(t, ev, err)
	if len(ev.Signers) != 2 || ev.Signers[0].SignatureAlgorithm != "1.2.398.3.10.1.1.2.3.2" || ev.Signers[1].Identity.IIN != "800101300456" {
		t.Fatalf("signers %+v", ev.Signers)
	}
	bad := bytes.Clone(both)
	bad[bytes.Index(bad, content)] ^= 1
	_, err = v.Verify(ctx, signature.Request{CMS: bad})
	wantCode(t, err, signature.CodeContentMismatch)
}

// The GOST path builder keeps the CA's path length: the intermediate (path
// length 0) may not certify another CA that issues the signer.
func TestGOSTChainKeepsPathLength(t *testing.T) {
	p := sigtest.NewGOSTAt(t, fixedClock)
	v := verifier(t, p, nil)
	sub := p.NewCA(t, p.Intermediate, "TEST SUB-CA (GOST)")
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.GOST2015_512, Issuer: sub})
	leaf.Chain = append(leaf.Chain, p.Intermediate.Cert)
	_, err := v.Verify(context.Background(), signature.Request{CMS: p.Sign(t, leaf, content, sigtest.SignOptions{})})
	wantCode(t, err, signature.CodeCertUntrusted)
	if !bytes.Contains([]byte(err.Error()), []byte("intermediate CAs below it")) {
		t.Fatalf("refused for another reason: %v", err)
	}
}
