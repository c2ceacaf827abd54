package signature

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"net/http"
	"testing"
	"time"
	"unicode/utf16"

	"docledger/adapters/signature/sigtest"
)

// This file reads the key of an NCA test PKCS#12 file (NCANode's), which
// golang.org/x/crypto/pkcs12 and go-cryptobin refuse for its BER
// indefinite lengths: the MAC (HMAC-SHA-1) is checked, the shrouded key
// bag (pbeWithSHAAnd3-KeyTripleDES-CBC) decrypted. The certificate bag
// (RC2-40) is not needed: the key's certificate is in NCANode's CMS.

// pkcs12KDF derives n bytes of purpose id (1 key, 2 IV, 3 MAC key) from the
// password and salt with SHA-1 (RFC 7292 appendix B.2).
func pkcs12KDF(password string, salt []byte, iter, id, n int) []byte {
	const u, v = 20, 64
	var pw []byte
	for _, r := range utf16.Encode([]rune(password)) {
		pw = append(pw, byte(r>>8), byte(r))
	}
	pw = append(pw, 0, 0)
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		out := make([]byte, v*((len(b)+v-1)/v))
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	D := bytes.Repeat([]byte{byte(id)}, v)
	I := append(fill(salt), fill(pw)...)
	var out []byte
	for len(out) < n {
		h := sha1.Sum(append(append([]byte{}, D...), I...))
		A := h[:]
		for i := 1; i < iter; i++ {
			h = sha1.Sum(A)
			A = h[:]
		}
		out = append(out, A...)
		B := new(big.Int).SetBytes(fill(A)[:v])
		B.Add(B, big.NewInt(1))
		mod := new(big.Int).Lsh(big.NewInt(1), 8*v)
		for j := 0; j < len(I); j += v {
			Ij := new(big.Int).SetBytes(I[j : j+v])
			Ij.Add(Ij, B).Mod(Ij, mod)
			Ij.FillBytes(I[j : j+v])
		}
	}
	return out[:n]
}

type pbeParams struct {
	Salt []byte
	Iter int
}

// ncaP12Key returns the PKCS#8 PrivateKeyInfo inside an NCA test PKCS#12.
func ncaP12Key(t *testing.T, p12 []byte, password string) []byte {
	t.Helper()
	var pfx struct {
		Version  int
		AuthSafe struct {
			Type    asn1.ObjectIdentifier
			Content asn1.RawValue `asn1:"explicit,tag:0"`
		}
		MacData struct {
			Mac struct {
				Algorithm pkix.AlgorithmIdentifier
				Digest    []byte
			}
			Salt []byte
			Iter int `asn1:"optional,default:1"`
		}
	}
	if _, err := asn1.Unmarshal(p12, &pfx); err != nil {
		t.Fatal(err)
	}
	var data []byte // the authenticated safe, BER inside
	if _, err := asn1.Unmarshal(pfx.AuthSafe.Content.Bytes, &data); err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha1.New, pkcs12KDF(password, pfx.MacData.Salt, pfx.MacData.Iter, 3, 20))
	mac.Write(data)
	if !hmac.Equal(mac.Sum(nil), pfx.MacData.Mac.Digest) {
		t.Fatal("PKCS#12 MAC does not verify: wrong password or file")
	}
	// The shrouded key bag's contents are DER even where the containers
	// around it are BER: find the bag by its OID and read what follows.
	bagOID := []byte{0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01, 0x02}
	i := bytes.Index(data, bagOID)
	if i < 0 {
		t.Fatal("no pkcs8ShroudedKeyBag")
	}
	var wrapped asn1.RawValue // [0] EXPLICIT EncryptedPrivateKeyInfo
	if _, err := asn1.Unmarshal(data[i+len(bagOID):], &wrapped); err != nil {
		t.Fatal(err)
	}
	var epki struct {
		Algorithm struct {
			Algorithm asn1.ObjectIdentifier
			Params    pbeParams
		}
		Data []byte
	}
	if _, err := asn1.Unmarshal(wrapped.Bytes, &epki); err != nil {
		t.Fatal(err)
	}
	if !epki.Algorithm.Algorithm.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}) {
		t.Fatalf("key bag encrypted with %s, not 3DES", epki.Algorithm.Algorithm)
	}
	p := epki.Algorithm.Params
	block, err := des.NewTripleDESCipher(pkcs12KDF(password, p.Salt, p.Iter, 1, 24))
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, len(epki.Data))
	cipher.NewCBCDecrypter(block, pkcs12KDF(password, p.Salt, p.Iter, 2, 8)).CryptBlocks(plain, epki.Data)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > 8 {
		t.Fatalf("bad padding %d", pad)
	}
	return plain[:len(plain)-pad]
}

// The NCA test key of NCANode's GOST-2015 signer: its scalar is a 64-byte
// OCTET STRING inside the PKCS#8 OCTET STRING, and read BIG-endian it times
// G is the public key of its certificate (read little-endian, as had been
// said, it is not). Signatures made with it in the test verify through the
// same code path, at a time the certificate was valid.
func TestRealNCAKeySignsThroughTheSameCodePath(t *testing.T) {
	pk := ncaP12Key(t, ncaFile(t, "individual_valid_2015.p12"), "Aa123456")
	var pki struct {
		Version   int
		Algorithm pkix.AlgorithmIdentifier
		Key       []byte
	}
	if _, err := asn1.Unmarshal(pk, &pki); err != nil {
		t.Fatal(err)
	}
	if !pki.Algorithm.Algorithm.Equal(oidKZGOST2015Key512) {
		t.Fatalf("key algorithm %s", pki.Algorithm.Algorithm)
	}
	var scalar []byte
	if _, err := asn1.Unmarshal(pki.Key, &scalar); err != nil || len(scalar) != 64 {
		t.Fatalf("private key is not a 64-byte OCTET STRING in the OCTET STRING: %v (%d bytes)", err, len(scalar))
	}
	p7, err := parseCMS(ncaFile(t, "cms_gost2015_rsa_attached.der"))
	if err != nil {
		t.Fatal(err)
	}
	cert := p7.Certificates[0]
	certKey, err := parseGOSTKey(cert.RawSubjectPublicKeyInfo)
	if err != nil {
		t.Fatal(err)
	}
	same := func(k *sigtest.GOSTKey) bool {
		mine, err := parseGOSTKey(k.SubjectPublicKeyInfo())
		if err != nil {
			t.Fatal(err)
		}
		return mine.pub.X.Cmp(certKey.pub.X) == 0 && mine.pub.Y.Cmp(certKey.pub.Y) == 0
	}
	if same(sigtest.GOSTKeyFromScalar(t, sigtest.GOST2015_512, reverse(scalar))) {
		t.Fatal("the little-endian reading of the scalar gives the certificate's key too")
	}
	key := sigtest.GOSTKeyFromScalar(t, sigtest.GOST2015_512, scalar)
	if !same(key) {
		t.Fatal("scalar × G is not the certificate's public key")
	}

	at := time.Date(2022, 9, 28, 9, 0, 0, 0, time.UTC)
	v, err := NewVerifier(Config{Trust: ncaTrust(t), Clock: func() time.Time { return at }, Revocation: AcceptWhenUnavailable,
		HTTPClient: &http.Client{Transport: fileTransport{ncaFile(t, "nca_gost2022_test_small.crl")}}, OCSPResponder: "http://ocsp.invalid/"})
	if err != nil {
		t.Fatal(err)
	}
	leaf := &sigtest.Leaf{Cert: cert, GOST: key, Chain: []*x509.Certificate{ncaCert(t, "nca_gost2022_test.cer")}}
	p := sigtest.NewGOST(t) // only its CMS builder is used
	doc := []byte("Акт сверки №3")
	for _, o := range []sigtest.SignOptions{{}, {Detached: true}, {KalkanOIDs: true}} {
		cms := p.Sign(t, leaf, doc, o)
		req := Request{CMS: cms, ReceivedAt: at}
		if o.Detached {
			req.Content = doc
		}
		ev, err := v.Verify(context.Background(), req)
		if err != nil || ev.Signers[0].Verdict != VerdictValidUncheckedRevocation || ev.Signers[0].Revocation.Status != StatusGood {
			t.Fatalf("%+v: %v", o, err)
		}
		req.Content = []byte("Акт сверки №4")
		if !o.Detached {
			req.Content = nil
			bad := bytes.Clone(cms)
			bad[bytes.Index(bad, doc)+2] ^= 1
			req.CMS = bad
		}
		if _, err := v.Verify(context.Background(), req); CodeOf(err) != CodeContentMismatch {
			t.Fatalf("%+v tampered: %v", o, err)
		}
	}
}
