package signature

import (
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ncaCert reads a certificate of the NCA RK test PKI from testdata/nca.
func ncaCert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "nca", name))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := parseCertificates(b)
	if err != nil {
		t.Fatal(err)
	}
	return cs[0]
}

func ncaFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "nca", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The certificate signatures of the NCA RK test PKI are real GOST test
// vectors: the GOST-2015 root signs itself and the 2022 intermediate, and
// the GOST-2004 intermediate signs an end-user certificate.
func TestRealNCACertificateSignatures(t *testing.T) {
	root := ncaCert(t, "root_test_gost_2022.cer")
	inter := ncaCert(t, "nca_gost2022_test.cer")
	inter2004 := ncaCert(t, "nca_gost_test.crt")
	ceo2004 := ncaCert(t, "ceo_valid_sign_2004_gost.cer")
	for _, c := range []struct {
		name          string
		child, parent *x509.Certificate
	}{
		{"2015 root self-signature", root, root},
		{"2015 root signs intermediate", inter, root},
		{"2004 intermediate signs end user", ceo2004, inter2004},
	} {
		if err := checkCertSignature(c.child, c.parent); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		tampered := *c.child
		tampered.Raw = append([]byte{}, c.child.Raw...)
		o, tbs, sig, _ := outerSignature(tampered.Raw)
		bad := append([]byte{}, tbs...)
		bad[len(bad)-5] ^= 1
		if err := checkSignedBy(c.parent, o, tampered.SignatureAlgorithm, bad, sig); CodeOf(err) != CodeBadSignature {
			t.Errorf("%s tampered: %v", c.name, err)
		}
	}
	if err := checkCertSignature(inter, inter2004); CodeOf(err) != CodeUnsupportedAlgorithm {
		t.Errorf("2015 certificate under a 2004 key: %v", err)
	}
}

// ncaTrust trusts the NCA RK GOST-2015 test root, the 2022 GOST
// intermediate building the chain.
func ncaTrust(t testing.TB) *TrustStore {
	return NewTrustStore([]*x509.Certificate{ncaCert(t, "root_test_gost_2022.cer")},
		[]*x509.Certificate{ncaCert(t, "nca_gost2022_test.cer"), ncaCert(t, "nca_rsa_test.crt")})
}

// fileTransport answers a GET of the NCA GOST 2022 intermediate's CRL
// distribution point with the real CRL from testdata, without the network;
// anything else (OCSP, the root's CRL, which is not in testdata) fails.
type fileTransport struct{ body []byte }

func (f fileTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/nca_gost2022_test.crl") {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Body: io.NopCloser(bytes.NewReader(nil)), Request: r}, nil
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(f.body)), Request: r}, nil
}

// signedAt is when NCANode signed the test CMS (its signingTime attribute).
var signedAt = time.Date(2022, 9, 27, 21, 17, 59, 0, time.UTC)

// The CMS NCANode made with the NCA test keys: a GOST-2015-512 signer and an
// RSA signer over "test123". The GOST signer verifies at its signing time
// (chain to the GOST-2015 test root, revocation from the real GOST-signed
// CRL); the intermediate's CRL (the root's) is not in testdata, so its
// revocation stays unchecked, accepted by policy. The RSA signature
// verifies too but its certificate had expired by then. Now, the GOST
// certificate has expired; a tampered payload is refused.
func TestRealNCANodeCMSWithGOST2015AndRSASigners(t *testing.T) {
	attached := ncaFile(t, "cms_gost2015_rsa_attached.der")
	detached := ncaFile(t, "cms_gost2015_rsa_detached.der")
	crl := ncaFile(t, "nca_gost2022_test_small.crl")
	newV := func(now time.Time) *Verifier {
		v, err := NewVerifier(Config{Trust: ncaTrust(t), Clock: func() time.Time { return now }, Revocation: AcceptWhenUnavailable,
			HTTPClient: &http.Client{Transport: fileTransport{crl}}, OCSPResponder: "http://ocsp.invalid/"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := newV(signedAt.Add(time.Hour))
	ctx := context.Background()
	for name, req := range map[string]Request{
		"attached": {CMS: attached, ReceivedAt: signedAt},
		"detached": {CMS: detached, Content: []byte("test123"), ReceivedAt: signedAt},
	} {
		ev, err := v.Verify(ctx, req)
		if CodeOf(err) != CodeCertExpired || len(ev.Signers) != 2 {
			t.Fatalf("%s: %v", name, err)
		}
		g, r := ev.Signers[0], ev.Signers[1]
		if g.Verdict != VerdictValidUncheckedRevocation || g.SignatureAlgorithm != "1.2.398.3.10.1.1.2.3.2" || g.DigestAlgorithm != "1.2.398.3.10.1.3.3" {
			t.Fatalf("%s: GOST signer %s %+v", name, g.Verdict, g.Reasons)
		}
		if len(g.Chain) != 3 || g.Identity.IIN != "123456789012" || g.Revocation.Method != "crl" || g.Revocation.Status != StatusGood {
			t.Fatalf("%s: GOST signer chain %d, identity %+v, revocation %+v", name, len(g.Chain), g.Identity, g.Revocation)
		}
		if len(g.ChainRevocation) != 1 || g.ChainRevocation[0].Status != StatusUnknown {
			t.Fatalf("%s: intermediate revocation %+v", name, g.ChainRevocation)
		}
		if r.Verdict != VerdictInvalid || r.Reasons[0].Code != CodeCertExpired {
			t.Fatalf("%s: RSA signer %s %+v", name, r.Verdict, r.Reasons)
		}
	}

	ev, err := v.Verify(ctx, Request{CMS: detached, Content: []byte("test124"), ReceivedAt: signedAt})
	if CodeOf(err) != CodeContentMismatch || ev.Signers[0].Reasons[0].Code != CodeContentMismatch || ev.Signers[1].Reasons[0].Code != CodeContentMismatch {
		t.Fatalf("tampered payload: %v", err)
	}
	// A flipped bit in the GOST signature value.
	bad := bytes.Clone(attached)
	p7, err := parseCMS(attached)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(bad, p7.Signers[0].EncryptedDigest)
	bad[i+7] ^= 0x10
	ev, err = v.Verify(ctx, Request{CMS: bad, ReceivedAt: signedAt})
	if ev == nil || ev.Signers[0].Reasons[0].Code != CodeBadSignature {
		t.Fatalf("flipped signature bit: %v", err)
	}

	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	ev, err = newV(now).Verify(ctx, Request{CMS: attached, ReceivedAt: now})
	if CodeOf(err) != CodeCertExpired || ev.Signers[0].Reasons[0].Code != CodeCertExpired {
		t.Fatalf("verified in 2026: %v", err)
	}
}

// NCA's OCSP responder signs with GOST keys: a GOST-2015 responder under the
// 2022 intermediate, a GOST-2004 one under the 2004 intermediate. Both real
// answers verify and report their status; a changed byte is refused.
func TestRealNCAOCSPResponsesSignedWithGOST(t *testing.T) {
	p7, err := parseCMS(ncaFile(t, "cms_gost2015_rsa_attached.der"))
	if err != nil {
		t.Fatal(err)
	}
	leaf2015 := p7.Certificates[0]
	for _, c := range []struct {
		file   string
		leaf   *x509.Certificate
		issuer *x509.Certificate
		serial string
		status int
	}{
		{"ocsp_response_individual_2015.bin", leaf2015, ncaCert(t, "nca_gost2022_test.cer"), "ff06211dc82beb00253ffa000f1de84abef454f", ocsp.Revoked},
		{"ocsp_response_ceo_sign_2004_revoked.bin", nil, ncaCert(t, "nca_gost_test.crt"), "12e3e7b9966d09eb9cda64251457e815c2a8dded", ocsp.Revoked},
	} {
		raw := ncaFile(t, c.file)
		resp, err := parseOCSP(raw, c.leaf, c.issuer)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if resp.SerialNumber.Text(16) != c.serial || resp.Status != c.status || resp.Certificate == nil {
			t.Fatalf("%s: serial %x status %d", c.file, resp.SerialNumber, resp.Status)
		}
		// producedAt is inside the signed response data.
		i := bytes.Index(raw, []byte("2022090216"))
		if i < 0 {
			t.Fatalf("%s: producedAt not found", c.file)
		}
		bad := bytes.Clone(raw)
		bad[i+9] ^= 1
		if _, err := parseOCSP(bad, c.leaf, c.issuer); err == nil {
			t.Fatalf("%s: tampered answer accepted", c.file)
		}
		// The other CA did not delegate this responder.
		if _, err := parseOCSP(raw, c.leaf, ncaCert(t, "root_test_gost_2022.cer")); err == nil {
			t.Fatalf("%s: answer accepted for another issuer", c.file)
		}
	}
}

// The NCA test TSA signs with GOST 34.310-2004 (Kalkan: the signer's
// algorithm is 1.2.398.3.10.1.1.1.2, the digest GOST 34.311-95). Its real
// token verifies, its TSA certificate is signed by the GOST-2004
// intermediate, and a changed genTime is refused.
func TestRealNCATimestampTokenSignedWithGOST2004(t *testing.T) {
	token := ncaFile(t, "tsp_token.bin")
	ti, err := parseTimestampToken(token)
	if err != nil {
		t.Fatal(err)
	}
	if !ti.time.Equal(time.Date(2022, 9, 18, 13, 20, 14, 0, time.UTC)) || ti.serial.Text(16) != "5e846dd75d861154db10f13c54dc1f8d33fe6adc" {
		t.Fatalf("genTime %s serial %x", ti.time, ti.serial)
	}
	if err := checkCertSignature(ti.tsa, ncaCert(t, "nca_gost_test.crt")); err != nil {
		t.Fatalf("TSA certificate: %v", err)
	}
	i := bytes.Index(token, []byte("20220918132014"))
	if i < 0 {
		t.Fatal("genTime not found")
	}
	bad := bytes.Clone(token)
	bad[i+13] = '5'
	if _, err := parseTimestampToken(bad); CodeOf(err) != CodeTimestampInvalid {
		t.Fatalf("changed genTime: %v", err)
	}
}
