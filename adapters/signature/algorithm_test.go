package signature

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestCertificateAlgorithms(t *testing.T) {
	for _, name := range []string{"root_test_gost_2022.cer", "nca_gost2022_test.cer", "nca_gost_test.crt", "ceo_valid_sign_2004_gost.cer", "nca_rsa_test.crt"} {
		if err := checkCertAlgorithms(ncaCert(t, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	other := &x509.Certificate{Subject: pkix.Name{CommonName: "DSA"}, PublicKeyAlgorithm: x509.DSA}
	if CodeOf(checkCertAlgorithms(other)) != CodeUnsupportedAlgorithm {
		t.Fatal("certificate with a DSA key not refused as unsupported")
	}
	// The 2022 root with its curve OID 1.2.398.3.10.1.1.2.2.1 changed to .2.2.9.
	root := ncaCert(t, "root_test_gost_2022.cer")
	curve := []byte{0x06, 0x0a, 0x2a, 0x83, 0x0e, 0x03, 0x0a, 0x01, 0x01, 0x02, 0x02, 0x01}
	i := bytes.Index(root.RawSubjectPublicKeyInfo, curve)
	if i < 0 {
		t.Fatal("curve OID not found in the root's key")
	}
	spki := bytes.Clone(root.RawSubjectPublicKeyInfo)
	spki[i+len(curve)-1] = 9
	if _, err := parseGOSTKey(spki); CodeOf(err) != CodeUnsupportedAlgorithm {
		t.Fatalf("unknown curve: %v", err)
	}
	spki = bytes.Clone(root.RawSubjectPublicKeyInfo)
	spki[len(spki)-1] ^= 1 // the point leaves the curve
	if _, err := parseGOSTKey(spki); CodeOf(err) != CodeMalformedInput {
		t.Fatalf("point off the curve: %v", err)
	}
	for _, oid := range []asn1.ObjectIdentifier{
		{1, 2, 398, 3, 10, 1, 3, 1, 1, 0}, // a GOST 34.311-95 parameter set, not a digest
		{1, 2, 643, 7, 1, 1, 2, 3},        // Russian Streebog-512 OID
		{1, 2, 3, 4},                      // anything else
	} {
		if _, err := digestHash(oid); CodeOf(err) != CodeUnsupportedAlgorithm {
			t.Fatalf("digest %s: %v", oid, err)
		}
	}
	for _, oid := range []asn1.ObjectIdentifier{oidKZGOST34311, oidKZStreebog256, oidKZStreebog512, oidSHA256} {
		if _, err := digestHash(oid); err != nil {
			t.Fatalf("digest %s: %v", oid, err)
		}
	}
	// A GOST-2004 key refuses the GOST-2015 signature OID and Streebog.
	k, err := parseGOSTKey(ncaCert(t, "nca_gost_test.crt").RawSubjectPublicKeyInfo)
	if err != nil {
		t.Fatal(err)
	}
	if CodeOf(k.checkAlgorithm(oidKZGOST2015Sig512, hashGOST34311)) != CodeUnsupportedAlgorithm ||
		CodeOf(k.checkAlgorithm(oidKZGOST2004Sig, hashStreebog512)) != CodeUnsupportedAlgorithm {
		t.Fatal("GOST-2004 key accepts GOST-2015 algorithms")
	}
	// Kalkan names the key OID instead of the signature OID: both are GOST-2004.
	if k.checkAlgorithm(oidKZGOST2004Key, hashGOST34311) != nil || k.checkAlgorithm(oidKZGOST2004Sig, hashGOST34311) != nil {
		t.Fatal("GOST-2004 key refuses its own OIDs")
	}
}

func TestAlgorithmAndRoleNames(t *testing.T) {
	for _, c := range []struct{ sig, dig, want string }{
		{"1.2.398.3.10.1.1.2.3.2", "1.2.398.3.10.1.3.3", "GOST 34.10-2015 (512), GOST 34.11-2015 (512)"},
		{"1.2.398.3.10.1.1.1.1", "1.2.398.3.10.1.3.1", "GOST 34.310-2004, GOST 34.311-95"},
		{"1.2.840.113549.1.1.11", "2.16.840.1.101.3.4.2.1", "RSA, SHA-256"},
		{"1.2.840.10045.4.3.2", "2.16.840.1.101.3.4.2.1", "ECDSA, SHA-256"},
		{"1.2.3", "x", "1.2.3, x"},
	} {
		if got := AlgorithmName(c.sig, c.dig); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.sig, c.dig, got, c.want)
		}
	}
	if RoleFirstHead.Name() != "first_head" || Role("1.2.3").Name() != "1.2.3" {
		t.Fatal("role names")
	}
}
