package signature_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

var content = []byte("Акт выполненных работ №17 от 2026-11-20")

// fixedClock is the time of the tests that build their PKI with
// sigtest.NewAt/NewGOSTAt: a fixed date, so that what they assert about
// validity, revocation and timestamps never depends on today's date.
func fixedClock() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }

// verifier verifies p's material on p's clock.
func verifier(t testing.TB, p *sigtest.PKI, mod func(*signature.Config)) *signature.Verifier {
	t.Helper()
	ts, err := signature.LoadTrustDir(p.TrustDir(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := signature.Config{Trust: ts, Timeout: 5 * time.Second, Clock: p.Now}
	if mod != nil {
		mod(&cfg)
	}
	v, err := signature.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func individual(t testing.TB, p *sigtest.PKI) *sigtest.Leaf {
	return p.Issue(t, sigtest.Spec{IIN: "900101300123", CommonName: "ИВАНОВ ИВАН", Surname: "ИВАНОВ", GivenName: "ИВАН",
		Email: "ivan@example.kz", Roles: []string{string(signature.RoleIndividual)}})
}

func mustValid(t *testing.T, ev *signature.Evidence, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if ev.Verdict != signature.VerdictValid {
		t.Fatalf("verdict %s, reasons %+v", ev.Verdict, ev.Reasons)
	}
}

func TestVerifyAttachedAndDetachedInAllEncodings(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	leaf := individual(t, p)
	attached := p.Sign(t, leaf, content, sigtest.SignOptions{})
	detached := p.Sign(t, leaf, content, sigtest.SignOptions{Detached: true})
	b64 := []byte(base64.StdEncoding.EncodeToString(attached))
	pemb := pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: attached})
	received := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)

	for name, req := range map[string]signature.Request{
		"attached DER":           {CMS: attached, ReceivedAt: received},
		"attached base64":        {CMS: b64, ReceivedAt: received},
		"attached PEM":           {CMS: pemb, ReceivedAt: received},
		"attached, same content": {CMS: attached, Content: content, ReceivedAt: received},
		"detached":               {CMS: detached, Content: content, ReceivedAt: received},
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := v.Verify(context.Background(), req)
			mustValid(t, ev, err)
			s := ev.Signers[0]
			if s.Identity.IIN != "900101300123" || s.Identity.Surname != "ИВАНОВ" || s.Identity.GivenName != "ИВАН" ||
				s.Identity.Email != "ivan@example.kz" || !s.Identity.HasRole(signature.RoleIndividual) || s.Identity.Usage != signature.UsageSign {
				t.Errorf("identity %+v", s.Identity)
			}
			if !s.SigningTime.Equal(received) || s.SigningTimeSource != signature.SourceReceived {
				t.Errorf("signing time %v from %s, want %v from received", s.SigningTime, s.SigningTimeSource, received)
			}
			if len(s.Chain) != 3 {
				t.Errorf("chain has %d certificates, want leaf, intermediate, root", len(s.Chain))
			}
			if s.Revocation == nil || s.Revocation.Method != "ocsp" || s.Revocation.Status != signature.StatusGood ||
				!s.Revocation.NonceMatched || len(s.Revocation.OCSPResponse) == 0 {
				t.Errorf("revocation %+v", s.Revocation)
			}
			if ev.Detached != (name == "detached") {
				t.Errorf("detached = %v", ev.Detached)
			}
		})
	}
}

func TestVerifyAlgorithmsAndShapes(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	rsaLeaf := individual(t, p)
	ecLeaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	for name, cms := range map[string][]byte{
		"RSA SHA-256":              p.Sign(t, rsaLeaf, content, sigtest.SignOptions{}),
		"RSA SHA-1 (old material)": p.Sign(t, rsaLeaf, content, sigtest.SignOptions{Hash: crypto.SHA1}),
		"RSA SHA-512":              p.Sign(t, rsaLeaf, content, sigtest.SignOptions{Hash: crypto.SHA512}),
		"RSA without attributes":   p.Sign(t, rsaLeaf, content, sigtest.SignOptions{NoSignedAttributes: true}),
		"ECDSA P-256":              p.Sign(t, ecLeaf, content, sigtest.SignOptions{}),
		"ECDSA without attributes": p.Sign(t, ecLeaf, content, sigtest.SignOptions{NoSignedAttributes: true, Detached: true}),
	} {
		t.Run(name, func(t *testing.T) {
			ev, err := v.Verify(context.Background(), signature.Request{CMS: cms, Content: content})
			mustValid(t, ev, err)
		})
	}
}

func TestTimestampGivesTheSigningTime(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	leaf := individual(t, p)
	tsaTime := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
	p.SetTSATime(func() time.Time { return tsaTime })
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true, Detached: true, SigningTime: time.Now().Add(-48 * time.Hour)})
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms, Content: content})
	mustValid(t, ev, err)
	s := ev.Signers[0]
	if s.SigningTimeSource != signature.SourceTimestamp || !s.SigningTime.Equal(tsaTime) {
		t.Fatalf("signing time %v from %s, want %v from timestamp", s.SigningTime, s.SigningTimeSource, tsaTime)
	}
	if s.Timestamp == nil || len(s.Timestamp.Token) == 0 || s.Timestamp.TSA == "" {
		t.Fatalf("timestamp evidence %+v", s.Timestamp)
	}
	if s.ClaimedSigningTime == nil {
		t.Fatal("claimed signingTime attribute not recorded")
	}

	t.Run("token over another signature", func(t *testing.T) {
		cms := p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true, TimestampOf: []byte("other")})
		_, err := v.Verify(context.Background(), signature.Request{CMS: cms})
		wantCode(t, err, signature.CodeTimestampInvalid)
	})
	t.Run("timestamp before the certificate", func(t *testing.T) {
		p.SetTSATime(func() time.Time { return leaf.Cert.NotBefore.Add(-time.Hour) })
		cms := p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true})
		_, err := v.Verify(context.Background(), signature.Request{CMS: cms})
		wantCode(t, err, signature.CodeCertNotYetValid)
	})
}

func TestSeveralSigners(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	first := individual(t, p)
	second := p.Issue(t, sigtest.Spec{IIN: "850505400456", BIN: "123456789012", Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	for _, detached := range []bool{false, true} {
		cms := p.Sign(t, first, content, sigtest.SignOptions{Detached: detached})
		both := p.AddSigner(t, cms, content, second, sigtest.SignOptions{Detached: detached, Timestamp: true})
		ev, err := v.Verify(context.Background(), signature.Request{CMS: both, Content: content})
		mustValid(t, ev, err)
		if len(ev.Signers) != 2 || ev.Signers[0].Identity.IIN != "900101300123" || ev.Signers[1].Identity.BIN != "123456789012" ||
			!ev.Signers[1].Identity.HasRole(signature.RoleFirstHead) || ev.Signers[1].SigningTimeSource != signature.SourceTimestamp {
			t.Fatalf("signers %+v", ev.Signers)
		}
	}
	t.Run("one revoked signer spoils the signature", func(t *testing.T) {
		third := individual(t, p)
		p.SetStatus(third.Cert, sigtest.Revoked, time.Now().Add(-time.Hour))
		cms := p.AddSigner(t, p.Sign(t, first, content, sigtest.SignOptions{}), nil, third, sigtest.SignOptions{})
		ev, err := v.Verify(context.Background(), signature.Request{CMS: cms})
		wantCode(t, err, signature.CodeCertRevoked)
		// SignerInfos are a DER SET: their order is the encoding's, not the
		// order of signing.
		for i, s := range ev.Signers {
			want := signature.VerdictValid
			if s.Identity.SerialNumber == third.Cert.SerialNumber.Text(16) {
				want = signature.VerdictInvalid
				if len(ev.Reasons) != 1 || ev.Reasons[0].Signer != i {
					t.Fatalf("reasons %+v", ev.Reasons)
				}
			}
			if s.Verdict != want {
				t.Fatalf("signer %d: verdict %s, want %s", i, s.Verdict, want)
			}
		}
	})
}

func wantCode(t *testing.T, err error, code signature.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	if got := signature.CodeOf(err); got != code {
		t.Fatalf("code %s (%v), want %s", got, err, code)
	}
	if !errors.Is(err, &signature.Error{Code: code}) {
		t.Fatalf("errors.Is does not match %s", code)
	}
}

func TestBadInputIsRefusedWithItsOwnCode(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	now := time.Now()
	good := individual(t, p)
	attached := p.Sign(t, good, content, sigtest.SignOptions{})
	random := make([]byte, 512)
	rand.Read(random)
	random[0] = 0x30

	expired := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)})
	future := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NotBefore: now.Add(24 * time.Hour)})
	revoked := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	p.SetStatus(revoked.Cert, sigtest.Revoked, now.Add(-time.Hour))
	crlRevoked := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NoOCSP: true})
	p.SetStatus(crlRevoked.Cert, sigtest.Revoked, now.Add(-time.Hour))
	unknownThenCRL := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	p.SetStatus(unknownThenCRL.Cert, sigtest.Unknown, time.Time{})
	other := sigtest.NewRoot(t, "SOMEONE ELSE'S CA")
	untrusted := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, Issuer: other})
	self := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, SelfSigned: true})
	auth := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, Auth: true})
	noRevocation := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NoOCSP: true, NoCRL: true})
	gost := p.Sign(t, good, content, sigtest.SignOptions{Mutate: func(d, s *pkix.AlgorithmIdentifier) {
		d.Algorithm = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1, 1, 0} // GOST 34.311-95
		s.Algorithm = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 2}    // GOST 34.310-2004
	}})
	gost2015 := p.Sign(t, good, content, sigtest.SignOptions{Mutate: func(d, s *pkix.AlgorithmIdentifier) {
		d.Algorithm = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 3}       // GOST 34.311-2015 (512)
		s.Algorithm = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2} // GOST 34.10-2015 512
	}})
	badSig := p.Sign(t, good, content, sigtest.SignOptions{})
	badSig[len(badSig)-10] ^= 0xff

	cases := []struct {
		name string
		req  signature.Request
		code signature.Code
	}{
		{"empty", signature.Request{CMS: nil}, signature.CodeMalformedInput},
		{"text", signature.Request{CMS: []byte("hello, not a signature")}, signature.CodeMalformedInput},
		{"random bytes", signature.Request{CMS: random}, signature.CodeMalformedCMS},
		{"truncated DER", signature.Request{CMS: attached[:len(attached)/2]}, signature.CodeMalformedCMS},
		{"detached without content", signature.Request{CMS: p.Sign(t, good, content, sigtest.SignOptions{Detached: true})}, signature.CodeContentMissing},
		{"wrong content for detached", signature.Request{CMS: p.Sign(t, good, content, sigtest.SignOptions{Detached: true}), Content: []byte("other")}, signature.CodeContentMismatch},
		{"wrong content for attached", signature.Request{CMS: attached, Content: []byte("other")}, signature.CodeContentMismatch},
		{"tampered signature", signature.Request{CMS: badSig}, signature.CodeBadSignature},
		{"expired", signature.Request{CMS: p.Sign(t, expired, content, sigtest.SignOptions{})}, signature.CodeCertExpired},
		{"not yet valid", signature.Request{CMS: p.Sign(t, future, content, sigtest.SignOptions{})}, signature.CodeCertNotYetValid},
		{"revoked (OCSP)", signature.Request{CMS: p.Sign(t, revoked, content, sigtest.SignOptions{})}, signature.CodeCertRevoked},
		{"revoked (CRL)", signature.Request{CMS: p.Sign(t, crlRevoked, content, sigtest.SignOptions{})}, signature.CodeCertRevoked},
		{"untrusted", signature.Request{CMS: p.Sign(t, untrusted, content, sigtest.SignOptions{})}, signature.CodeCertUntrusted},
		{"self-signed", signature.Request{CMS: p.Sign(t, self, content, sigtest.SignOptions{})}, signature.CodeCertSelfSigned},
		{"AUTH key used to sign", signature.Request{CMS: p.Sign(t, auth, content, sigtest.SignOptions{})}, signature.CodeAuthKeyUsedToSign},
		{"SIGN key used to log in", signature.Request{CMS: attached, Purpose: signature.PurposeLogin}, signature.CodeNotAuthCertificate},
		{"GOST 34.310-2004 OIDs on an ECDSA key", signature.Request{CMS: gost}, signature.CodeUnsupportedAlgorithm},
		{"GOST 34.10-2015 OIDs on an ECDSA key", signature.Request{CMS: gost2015}, signature.CodeUnsupportedAlgorithm},
		{"no revocation answer", signature.Request{CMS: p.Sign(t, noRevocation, content, sigtest.SignOptions{})}, signature.CodeRevocationUnavailable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := v.Verify(context.Background(), c.req)
			wantCode(t, err, c.code)
			if ev != nil && ev.Verdict != signature.VerdictInvalid {
				t.Fatalf("verdict %s for a refused signature", ev.Verdict)
			}
		})
	}
	t.Run("OCSP unknown falls back to the CRL", func(t *testing.T) {
		ev, err := v.Verify(context.Background(), signature.Request{CMS: p.Sign(t, unknownThenCRL, content, sigtest.SignOptions{})})
		mustValid(t, ev, err)
		if r := ev.Signers[0].Revocation; r.Method != "crl" || r.CRL == nil || r.CRL.Number == "" || r.CRL.SHA256 == "" {
			t.Fatalf("revocation %+v", r)
		}
	})
}

func TestRevocationPolicyAndOutages(t *testing.T) {
	p := sigtest.New(t)
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{})
	p.SetOCSPDown(true)

	ev, err := verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms})
	mustValid(t, ev, err)
	if ev.Signers[0].Revocation.Method != "crl" {
		t.Fatalf("OCSP down: want CRL fallback, got %+v", ev.Signers[0].Revocation)
	}

	p.SetCRLDown(true)
	_, err = verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms})
	wantCode(t, err, signature.CodeRevocationUnavailable)

	ev, err = verifier(t, p, func(c *signature.Config) { c.Revocation = signature.AcceptWhenUnavailable }).
		Verify(context.Background(), signature.Request{CMS: cms})
	if err != nil || ev.Verdict != signature.VerdictValidUncheckedRevocation || ev.Signers[0].Revocation.Note == "" {
		t.Fatalf("accept policy: %v %+v", err, ev)
	}

	ev, err = verifier(t, p, func(c *signature.Config) { c.Offline = true }).Verify(context.Background(), signature.Request{CMS: cms})
	if err != nil || ev.Verdict != signature.VerdictValidUncheckedRevocation || !ev.Offline || ev.Signers[0].Revocation.Method != "none" {
		t.Fatalf("offline: %v %+v", err, ev)
	}
}

func TestOCSPAnswerWithoutNonceAndConfiguredResponder(t *testing.T) {
	p := sigtest.New(t)
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NoOCSP: true, NoCRL: true})
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{})
	p.SetNoNonce(true)
	v := verifier(t, p, func(c *signature.Config) { c.OCSPResponder = p.OCSPServer.URL })
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms})
	mustValid(t, ev, err)
	if r := ev.Signers[0].Revocation; r.NonceMatched || r.OCSPURL != p.OCSPServer.URL {
		t.Fatalf("revocation %+v", r)
	}
}

func TestOCSPCacheReusesAnswers(t *testing.T) {
	p := sigtest.New(t)
	cache := signature.NewOCSPCache(time.Minute)
	v := verifier(t, p, func(c *signature.Config) { c.OCSPCache = cache })
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{})
	for i := 0; i < 3; i++ {
		ev, err := v.Verify(context.Background(), signature.Request{CMS: cms})
		mustValid(t, ev, err)
		if cached := ev.Signers[0].Revocation.Cached; cached != (i > 0) {
			t.Fatalf("verification %d: cached = %v", i, cached)
		}
	}
	if n := p.OCSPRequests.Load(); n != 1 {
		t.Fatalf("responder asked %d times, want 1", n)
	}
}

func TestRevocationAfterTheSigningTimeKeepsTheSignature(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})
	signedAt := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	p.SetTSATime(func() time.Time { return signedAt })
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true})
	p.SetStatus(leaf.Cert, sigtest.Revoked, signedAt.Add(time.Hour))
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms})
	mustValid(t, ev, err)
	if r := ev.Signers[0].Revocation; r.Status != signature.StatusRevoked || !r.RevokedAt.After(signedAt) {
		t.Fatalf("revocation %+v", r)
	}
	p.SetStatus(leaf.Cert, sigtest.Revoked, signedAt.Add(-time.Minute))
	_, err = verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms})
	wantCode(t, err, signature.CodeCertRevoked)
}

func TestReverifyAfterTheCertificateExpired(t *testing.T) {
	p := sigtest.New(t)
	now := time.Now()
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	stamped := p.Sign(t, leaf, content, sigtest.SignOptions{Timestamp: true, Detached: true})
	plain := p.Sign(t, leaf, content, sigtest.SignOptions{})
	store := func(cms []byte) signature.Evidence {
		t.Helper()
		ev, err := verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms, Content: content})
		mustValid(t, ev, err)
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var stored signature.Evidence
		if err := json.Unmarshal(b, &stored); err != nil {
			t.Fatal(err)
		}
		return stored
	}
	stored, storedPlain := store(stamped), store(plain)

	// Two years on: the certificate expired, the network is gone.
	later := func() time.Time { return now.Add(2 * 365 * 24 * time.Hour) }
	p.SetOCSPDown(true)
	p.SetCRLDown(true)
	v := verifier(t, p, func(c *signature.Config) { c.Clock = later })
	// Re-checking "now" gives the wrong answer.
	_, err := v.Verify(context.Background(), signature.Request{CMS: plain})
	wantCode(t, err, signature.CodeCertExpired)
	_, err = v.Verify(context.Background(), signature.Request{CMS: stamped, Content: content})
	wantCode(t, err, signature.CodeRevocationUnavailable)
	for _, st := range []signature.Evidence{stored, storedPlain} {
		again, err := v.Reverify(context.Background(), &st)
		mustValid(t, again, err)
		if !again.Signers[0].SigningTime.Equal(st.Signers[0].SigningTime) || !again.VerifiedAt.Equal(later().UTC()) {
			t.Fatalf("reverified %+v", again.Signers[0])
		}
	}

	t.Run("tampered digest", func(t *testing.T) {
		bad := stored
		bad.Signers = append([]signature.SignerEvidence(nil), stored.Signers...)
		bad.Signers[0].ContentDigest = append([]byte(nil), bad.Signers[0].ContentDigest...)
		bad.Signers[0].ContentDigest[0] ^= 1
		_, err := v.Reverify(context.Background(), &bad)
		wantCode(t, err, signature.CodeContentMismatch)
	})
	t.Run("moved signing time", func(t *testing.T) {
		bad := stored
		bad.Signers = append([]signature.SignerEvidence(nil), stored.Signers...)
		bad.Signers[0].SigningTime = bad.Signers[0].SigningTime.Add(-time.Minute)
		_, err := v.Reverify(context.Background(), &bad)
		wantCode(t, err, signature.CodeEvidenceInvalid)
	})
	t.Run("root no longer trusted", func(t *testing.T) {
		other := sigtest.New(t)
		_, err := verifier(t, other, func(c *signature.Config) { c.Clock = later }).Reverify(context.Background(), &storedPlain)
		wantCode(t, err, signature.CodeCertUntrusted)
		_, err = verifier(t, other, func(c *signature.Config) { c.Clock = later }).Reverify(context.Background(), &stored)
		wantCode(t, err, signature.CodeTimestampInvalid) // the TSA is no longer trusted either
	})
}

func TestVerifyRaw(t *testing.T) {
	p := sigtest.New(t)
	v := verifier(t, p, nil)
	for _, leaf := range []*sigtest.Leaf{individual(t, p), p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256})} {
		sig := sigtest.SignRaw(t, leaf, content)
		certPEM := append(sigtest.PEM(leaf.Cert), sigtest.PEM(p.Intermediate.Cert)...)
		ev, err := v.VerifyRaw(context.Background(), signature.RawRequest{Data: content, Signature: sig, Certificate: certPEM})
		mustValid(t, ev, err)
		_, err = v.VerifyRaw(context.Background(), signature.RawRequest{Data: []byte("other"), Signature: sig, Certificate: certPEM})
		wantCode(t, err, signature.CodeBadSignature)
		b64 := []byte(base64.StdEncoding.EncodeToString(sig))
		ev, err = v.VerifyRaw(context.Background(), signature.RawRequest{Data: content, Signature: b64, Certificate: certPEM})
		mustValid(t, ev, err)
	}
}

func TestLoadTrustDirRefusesAnEmptyDirectory(t *testing.T) {
	if _, err := signature.LoadTrustDir(t.TempDir()); err == nil {
		t.Fatal("empty trust directory accepted")
	}
	if _, err := signature.NewVerifier(signature.Config{}); err == nil {
		t.Fatal("verifier without trust anchors accepted")
	}
}

func TestDelegatedOCSPResponder(t *testing.T) {
	p := sigtest.New(t)
	leaf := p.Issue(t, sigtest.Spec{IIN: "900101300123", Key: sigtest.ECDSAP256, NoCRL: true})
	cms := p.Sign(t, leaf, content, sigtest.SignOptions{})
	p.SetResponder(p.NewResponder(t, false))
	ev, err := verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms})
	mustValid(t, ev, err)
	if ev.Signers[0].Revocation.Method != "ocsp" {
		t.Fatalf("revocation %+v", ev.Signers[0].Revocation)
	}
	// A responder certificate without the OCSPSigning usage is not believed;
	// with no CRL to fall back on, the default policy refuses.
	p.SetResponder(p.NewResponder(t, true))
	_, err = verifier(t, p, nil).Verify(context.Background(), signature.Request{CMS: cms})
	wantCode(t, err, signature.CodeRevocationUnavailable)
}
