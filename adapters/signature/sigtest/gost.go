package sigtest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"hash"
	"testing"

	gostcipher "github.com/deatil/go-cryptobin/cipher/gost"
	gostkey "github.com/deatil/go-cryptobin/pubkey/gost"

	"docledger/adapters/signature/internal/gost28147"
	"docledger/adapters/signature/internal/gost341194"
	"docledger/adapters/signature/internal/streebog"
)

// GOSTKey is a Kazakh GOST key made at test time (go-cryptobin generates
// and signs), encoded the way NCA RK certificates and Kalkan encode it.
type GOSTKey struct {
	priv                                *gostkey.PrivateKey
	keyOID, sigOID, curveOID, digestOID asn1.ObjectIdentifier
	keyDigestParam                      asn1.ObjectIdentifier
	newHash                             func() hash.Hash
}

// The key types beyond RSA and ECDSA: Kazakh GOST schemes.
const (
	// GOST2015_512 is GOST 34.10-2015 on tc26-512-paramSetA with
	// GOST 34.11-2015 (512), the key NCA issues to legal entities today.
	GOST2015_512 KeyType = iota + 100
	// GOST2015_256 is GOST 34.10-2015 on tc26-256-paramSetA with
	// GOST 34.11-2015 (256).
	GOST2015_256
	// GOST2004 is GOST 34.310-2004 on the CryptoPro-A curve with
	// GOST 34.311-95 (the test S-box).
	GOST2004
)

func oid(s ...int) asn1.ObjectIdentifier { return asn1.ObjectIdentifier(s) }

// NewGOSTKey generates a key of type kt (one of the GOST key types).
func NewGOSTKey(t testing.TB, kt KeyType) *GOSTKey {
	t.Helper()
	k, curve := gostSpec(t, kt)
	priv, err := gostkey.GenerateKey(rand.Reader, curve)
	if err != nil {
		t.Fatal(err)
	}
	k.priv = priv
	return k
}

// GOSTKeyFromScalar is the key of type kt whose private scalar is given
// big-endian — as the NCA test PKCS#12 files hold it (checked against their
// certificates: the little-endian reading gives another public key).
func GOSTKeyFromScalar(t testing.TB, kt KeyType, scalarBE []byte) *GOSTKey {
	t.Helper()
	k, curve := gostSpec(t, kt)
	priv, err := gostkey.NewPrivateKey(curve, scalarBE)
	if err != nil {
		t.Fatal(err)
	}
	k.priv = priv
	return k
}

func gostSpec(t testing.TB, kt KeyType) (*GOSTKey, *gostkey.Curve) {
	t.Helper()
	k := &GOSTKey{}
	var curve *gostkey.Curve
	switch kt {
	case GOST2015_512:
		curve = gostkey.CurveIdtc26gost34102012512paramSetA()
		k.keyOID, k.sigOID = oid(1, 2, 398, 3, 10, 1, 1, 2, 2), oid(1, 2, 398, 3, 10, 1, 1, 2, 3, 2)
		k.curveOID, k.digestOID = oid(1, 2, 398, 3, 10, 1, 1, 2, 2, 1), oid(1, 2, 398, 3, 10, 1, 3, 3)
		k.keyDigestParam, k.newHash = k.digestOID, streebog.New512
	case GOST2015_256:
		curve = gostkey.CurveIdtc26gost34102012256paramSetA()
		k.keyOID, k.sigOID = oid(1, 2, 398, 3, 10, 1, 1, 2, 1), oid(1, 2, 398, 3, 10, 1, 1, 2, 3, 1)
		k.curveOID, k.digestOID = oid(1, 2, 398, 3, 10, 1, 1, 2, 1, 1), oid(1, 2, 398, 3, 10, 1, 3, 2)
		k.keyDigestParam, k.newHash = k.digestOID, streebog.New256
	case GOST2004:
		curve = gostkey.CurveIdGostR34102001CryptoProAParamSet()
		k.keyOID, k.sigOID = oid(1, 2, 398, 3, 10, 1, 1, 1, 1), oid(1, 2, 398, 3, 10, 1, 1, 1, 2)
		k.curveOID, k.digestOID = oid(1, 2, 398, 3, 10, 1, 1, 1, 1, 1), oid(1, 2, 398, 3, 10, 1, 3, 1)
		k.keyDigestParam = oid(1, 2, 398, 3, 10, 1, 3, 1, 1, 0)
		sb := gost28147.NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
		k.newHash = func() hash.Hash { return gost341194.New(sb) }
	default:
		t.Fatalf("sigtest: key type %d is not GOST", kt)
	}
	return k, curve
}

// SignatureOID is the OID of the key's signature algorithm (Kalkan writes
// KeyOID in signer infos instead, which verifiers accept too).
func (k *GOSTKey) SignatureOID() asn1.ObjectIdentifier { return k.sigOID }

// KeyOID is the OID of the key's algorithm.
func (k *GOSTKey) KeyOID() asn1.ObjectIdentifier { return k.keyOID }

// DigestOID is the OID of the key's digest.
func (k *GOSTKey) DigestOID() asn1.ObjectIdentifier { return k.digestOID }

// Digest hashes msg with the key's digest.
func (k *GOSTKey) Digest(msg []byte) []byte {
	h := k.newHash()
	h.Write(msg)
	return h.Sum(nil)
}

// SubjectPublicKeyInfo encodes the public key: the algorithm with the
// curve and digest OIDs as parameters, and an OCTET STRING of X then Y,
// each little-endian, in the BIT STRING.
func (k *GOSTKey) SubjectPublicKeyInfo() []byte {
	size := k.priv.Curve.PointSize()
	point := make([]byte, 2*size)
	k.priv.X.FillBytes(point[:size])
	k.priv.Y.FillBytes(point[size:])
	reverseInPlace(point[:size])
	reverseInPlace(point[size:])
	octets := mustMarshal(point)
	return mustMarshal(struct {
		Algorithm struct {
			Algorithm asn1.ObjectIdentifier
			Params    struct{ Curve, Digest asn1.ObjectIdentifier }
		}
		PublicKey asn1.BitString
	}{
		Algorithm: struct {
			Algorithm asn1.ObjectIdentifier
			Params    struct{ Curve, Digest asn1.ObjectIdentifier }
		}{k.keyOID, struct{ Curve, Digest asn1.ObjectIdentifier }{k.curveOID, k.keyDigestParam}},
		PublicKey: asn1.BitString{Bytes: octets, BitLength: 8 * len(octets)},
	})
}

// Sign signs msg: its digest, read as a little-endian integer, signed;
// the value is r then s, each little-endian (the Kazakh layout).
func (k *GOSTKey) Sign(t testing.TB, msg []byte) []byte {
	t.Helper()
	return k.SignDigest(t, k.Digest(msg))
}

// SignDigest signs a digest made with the key's hash.
func (k *GOSTKey) SignDigest(t testing.TB, digest []byte) []byte {
	t.Helper()
	return k.signDigest(digest)
}

// signDigest panics when the random source fails.
func (k *GOSTKey) signDigest(digest []byte) []byte {
	r, s, err := gostkey.SignToRS(rand.Reader, k.priv, digest)
	if err != nil {
		panic(err)
	}
	size := k.priv.Curve.PointSize()
	sig := make([]byte, 2*size)
	r.FillBytes(sig[:size])
	s.FillBytes(sig[size:])
	reverseInPlace(sig[:size])
	reverseInPlace(sig[size:])
	return sig
}

func reverseInPlace(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// regost turns DER made by crypto/x509 (a certificate or a CRL, signed
// with a stand-in ECDSA key) into a GOST one: the algorithm in the
// to-be-signed part (at index sigAt) becomes issuer's signature OID, the
// subject key (at keyAt, -1 for none) becomes subject's, and issuer signs.
// It panics on DER it cannot read (a bug of this package).
func regost(der []byte, sigAt, keyAt int, issuer, subject *GOSTKey) []byte {
	var outer struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &outer); err != nil {
		panic(err)
	}
	var fields []asn1.RawValue
	if _, err := asn1.Unmarshal(outer.TBS.FullBytes, &fields); err != nil {
		panic(err)
	}
	alg, err := asn1.Marshal(struct{ Algorithm asn1.ObjectIdentifier }{issuer.sigOID})
	if err != nil {
		panic(err)
	}
	fields[sigAt] = asn1.RawValue{FullBytes: alg}
	if keyAt >= 0 && subject != nil {
		fields[keyAt] = asn1.RawValue{FullBytes: subject.SubjectPublicKeyInfo()}
	}
	tbs, err := asn1.Marshal(fields)
	if err != nil {
		panic(err)
	}
	sig := issuer.signDigest(issuer.Digest(tbs))
	out, err := asn1.Marshal(struct {
		TBS       asn1.RawValue
		Algorithm asn1.RawValue
		Signature asn1.BitString
	}{asn1.RawValue{FullBytes: tbs}, asn1.RawValue{FullBytes: alg}, asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
	if err != nil {
		panic(err)
	}
	return out
}

// createGOST makes a certificate signed by issuer's GOST key, for subject
// (a GOST key) or, when subject is nil, for pub (an RSA or ECDSA key); a
// nil parent makes it self-signed.
func createGOST(t testing.TB, tmpl, parent *x509.Certificate, issuer, subject *GOSTKey, pub crypto.PublicKey) *x509.Certificate {
	t.Helper()
	stand := ecKey(t)
	if parent == nil {
		parent = tmpl
	}
	if subject != nil || pub == nil {
		pub = stand.Public()
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, stand)
	if err != nil {
		t.Fatal(err)
	}
	// TBSCertificate: [0] version, serial, signature, issuer, validity,
	// subject, subjectPublicKeyInfo, ...
	c, err := x509.ParseCertificate(regost(der, 2, 6, issuer, subject))
	if err != nil {
		t.Fatal(err)
	}
	return c
}
