package ocspnonce

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func TestNonceRoundTrip(t *testing.T) {
	// A fixed date: the round trip checks no validity period.
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: at.Add(-time.Hour), NotAfter: at.Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	leafTmpl := &x509.Certificate{SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: tmpl.NotBefore, NotAfter: tmpl.NotAfter}
	der, err = x509.CreateCertificate(rand.Reader, leafTmpl, ca, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)

	nonce := []byte("0123456789abcdef")
	req, err := Request(leaf, ca, nonce)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ocsp.ParseRequest(req)
	if err != nil || parsed.SerialNumber.Int64() != 42 {
		t.Fatalf("x/crypto cannot read the request: %v", err)
	}
	got, err := FromRequest(req)
	if err != nil || !bytes.Equal(got, nonce) {
		t.Fatalf("nonce %q, %v", got, err)
	}
	resp, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.SerialNumber, ThisUpdate: at,
		ExtraExtensions: []pkix.Extension{Extension(nonce)}}, key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ocsp.ParseResponseForCert(resp, leaf, ca)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := FromResponse(r); !bytes.Equal(got, nonce) {
		t.Fatalf("echoed nonce %q", got)
	}
	if _, err := FromRequest(append(req, 0)); err == nil {
		t.Fatal("trailing data accepted")
	}
}
