package signature

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
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
