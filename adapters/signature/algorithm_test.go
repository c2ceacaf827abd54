package signature

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
)

func TestGOSTCertificatesAreUnsupported(t *testing.T) {
	gostKey := &x509.Certificate{Subject: pkix.Name{CommonName: "GOST"}, PublicKeyAlgorithm: x509.UnknownPublicKeyAlgorithm, SignatureAlgorithm: x509.UnknownSignatureAlgorithm}
	if CodeOf(checkCertAlgorithms(gostKey)) != CodeUnsupportedAlgorithm {
		t.Fatal("certificate with a GOST key not refused as unsupported")
	}
	gostSigned := &x509.Certificate{PublicKeyAlgorithm: x509.RSA, SignatureAlgorithm: x509.UnknownSignatureAlgorithm}
	if CodeOf(checkCertAlgorithms(gostSigned)) != CodeUnsupportedAlgorithm {
		t.Fatal("certificate signed with GOST not refused as unsupported")
	}
	for _, oid := range []asn1.ObjectIdentifier{
		{1, 2, 398, 3, 10, 1, 3, 1, 1, 0}, // GOST 34.311-95
		{1, 2, 643, 7, 1, 1, 2, 3},        // Streebog-512
		{1, 2, 3, 4},                      // anything else
	} {
		if _, err := digestHash(oid); CodeOf(err) != CodeUnsupportedAlgorithm {
			t.Fatalf("digest %s: %v", oid, err)
		}
	}
	if _, err := signatureAlgorithm(asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2}, 0, gostKey); CodeOf(err) != CodeUnsupportedAlgorithm {
		t.Fatalf("GOST 34.10-2015 signature: %v", err)
	}
}
