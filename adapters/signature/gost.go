package signature

import (
	"crypto/x509"
	"encoding/asn1"
	"hash"
	"math/big"
	"sync"

	gostcipher "github.com/deatil/go-cryptobin/cipher/gost"
	gostkey "github.com/deatil/go-cryptobin/pubkey/gost"

	"docledger/adapters/signature/internal/gost28147"
	"docledger/adapters/signature/internal/gost341194"
	"docledger/adapters/signature/internal/gostec"
	"docledger/adapters/signature/internal/streebog"
)

// Kazakh GOST object identifiers (NCA RK, Kalkan). The key OIDs name the
// algorithm of a SubjectPublicKeyInfo; the signature OIDs name a signature
// made with such a key and its digest. Kalkan writes the key OID where a
// signature OID belongs (SignerInfo.signatureAlgorithm); both are accepted.
var (
	oidKZGOST2004Key    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1}
	oidKZGOST2004Sig    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 2}
	oidKZGOST2015Key256 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 1}
	oidKZGOST2015Key512 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2}
	oidKZGOST2015Sig256 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 1}
	oidKZGOST2015Sig512 = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2}

	// Curves (parameter sets) named in the key's parameters.
	oidKZCurve2004A    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 1, 1, 1}
	oidKZCurve2015256A = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 1, 1}
	oidKZCurve2015512A = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 2, 1}

	// Digests.
	oidKZGOST34311    = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1}
	oidKZStreebog256  = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 2}
	oidKZStreebog512  = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 3}
	oidKZGOST34311Par = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 3, 1, 1, 0}
)

// gostScheme is one Kazakh GOST signature scheme: a curve, a digest and the
// OIDs that name it.
type gostScheme struct {
	name     string
	keyOID   asn1.ObjectIdentifier
	sigOID   asn1.ObjectIdentifier
	curveOID asn1.ObjectIdentifier
	curve    func() *gostkey.Curve
	digest   hashAlg

	once sync.Once
	par  *gostkey.Curve // go-cryptobin's parameters: key parsing
	ec   *gostec.Curve  // the same curve for fast verification
}

var (
	// GOST R 34.11-94 with the test S-box (RFC 4357 1.2.643.2.2.30.0, from
	// go-cryptobin): the parameter set NCA's 1.2.398.3.10.1.3.1.1.0 stands
	// for; internal/gost341194 over internal/gost28147.
	sboxGOST34311 = gost28147.NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
	hashGOST34311 = hashAlg{name: "GOST 34.311-95", oid: oidKZGOST34311, newGOST: func() hash.Hash {
		return gost341194.New(sboxGOST34311)
	}}
	hashStreebog256 = hashAlg{name: "GOST 34.11-2015 (256)", oid: oidKZStreebog256, newGOST: streebog.New256}
	hashStreebog512 = hashAlg{name: "GOST 34.11-2015 (512)", oid: oidKZStreebog512, newGOST: streebog.New512}

	gostSchemes = []*gostScheme{
		{name: "GOST 34.310-2004", keyOID: oidKZGOST2004Key, sigOID: oidKZGOST2004Sig, curveOID: oidKZCurve2004A,
			curve: gostkey.CurveIdGostR34102001CryptoProAParamSet, digest: hashGOST34311},
		{name: "GOST 34.10-2015 (256)", keyOID: oidKZGOST2015Key256, sigOID: oidKZGOST2015Sig256, curveOID: oidKZCurve2015256A,
			curve: gostkey.CurveIdtc26gost34102012256paramSetA, digest: hashStreebog256},
		{name: "GOST 34.10-2015 (512)", keyOID: oidKZGOST2015Key512, sigOID: oidKZGOST2015Sig512, curveOID: oidKZCurve2015512A,
			curve: gostkey.CurveIdtc26gost34102012512paramSetA, digest: hashStreebog512},
	}
)

// curves returns the scheme's curve, built once (the parameters are
// constants): go-cryptobin's for reading keys, gostec's for verifying.
func (s *gostScheme) curves() (*gostkey.Curve, *gostec.Curve) {
	s.once.Do(func() {
		c := s.curve()
		ec, err := gostec.NewCurve(c.P, c.Q, c.A, c.B, c.X, c.Y)
		if err != nil {
			panic("signature: " + s.name + ": " + err.Error()) // a constant curve of this package
		}
		s.par, s.ec = c, ec
	})
	return s.par, s.ec
}

// gostSchemeForSig returns the scheme a signature algorithm OID names: the
// signature OID, or (Kalkan) the key OID.
func gostSchemeForSig(o asn1.ObjectIdentifier) *gostScheme {
	for _, s := range gostSchemes {
		if o.Equal(s.sigOID) || o.Equal(s.keyOID) {
			return s
		}
	}
	return nil
}

// gostKey is a parsed Kazakh GOST public key.
type gostKey struct {
	scheme *gostScheme
	pub    *gostkey.PublicKey
}

type spki struct {
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	PublicKey asn1.BitString
}

type gostKeyParams struct {
	Curve  asn1.ObjectIdentifier
	Digest asn1.ObjectIdentifier `asn1:"optional"`
}

// isGOSTKey reports whether cert has a Kazakh GOST key (whether or not this
// build can use it).
func isGOSTKey(cert *x509.Certificate) bool {
	var k spki
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &k); err != nil {
		return false
	}
	return isGOST(k.Algorithm.Algorithm)
}

// parseGOSTKey reads a Kazakh GOST SubjectPublicKeyInfo: the algorithm names
// the scheme, its parameters the curve by OID (and the digest), the BIT
// STRING holds an OCTET STRING of X then Y, each little-endian.
func parseGOSTKey(der []byte) (*gostKey, error) {
	var k spki
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) > 0 {
		return nil, errf(CodeMalformedInput, "GOST public key does not parse")
	}
	var scheme *gostScheme
	for _, s := range gostSchemes {
		if k.Algorithm.Algorithm.Equal(s.keyOID) {
			scheme = s
		}
	}
	if scheme == nil {
		return nil, unsupported("public key algorithm", k.Algorithm.Algorithm)
	}
	var par gostKeyParams
	if _, err := asn1.Unmarshal(k.Algorithm.Parameters.FullBytes, &par); err != nil {
		return nil, errf(CodeUnsupportedAlgorithm, "%s key without named curve parameters", scheme.name)
	}
	if !par.Curve.Equal(scheme.curveOID) {
		return nil, unsupported(scheme.name+" curve", par.Curve)
	}
	if len(par.Digest) > 0 && !par.Digest.Equal(scheme.digest.oid) && !par.Digest.Equal(oidKZGOST34311Par) {
		return nil, unsupported(scheme.name+" key digest", par.Digest)
	}
	var point []byte
	if rest, err := asn1.Unmarshal(k.PublicKey.RightAlign(), &point); err != nil || len(rest) > 0 {
		return nil, errf(CodeMalformedInput, "%s public key is not an OCTET STRING", scheme.name)
	}
	curve, _ := scheme.curves()
	size := curve.PointSize()
	if len(point) != 2*size {
		return nil, errf(CodeMalformedInput, "%s public key has %d bytes, want %d", scheme.name, len(point), 2*size)
	}
	// NewPublicKey takes the same layout (little-endian X, then Y) and
	// refuses a point off the curve.
	pub, err := gostkey.NewPublicKey(curve, point)
	if err != nil {
		return nil, errf(CodeMalformedInput, "%s public key is not a point of its curve", scheme.name)
	}
	return &gostKey{scheme: scheme, pub: pub}, nil
}

// verifyDigest checks a Kazakh GOST signature value — little-endian r, then
// little-endian s — over a digest taken as it came out of the hash and read
// as a little-endian integer (go-cryptobin's convention, which the NCA test
// material confirms).
func (k *gostKey) verifyDigest(digest, sig []byte) error {
	size := k.pub.Curve.PointSize()
	if len(sig) != 2*size || len(digest) != k.scheme.digest.size() {
		return errf(CodeBadSignature, "%s signature or digest has the wrong length", k.scheme.name)
	}
	_, ec := k.scheme.curves()
	r := new(big.Int).SetBytes(reverse(sig[:size]))
	sv := new(big.Int).SetBytes(reverse(sig[size:]))
	e := new(big.Int).SetBytes(reverse(digest))
	if !ec.Verify(k.pub.X, k.pub.Y, e, r, sv) {
		return errf(CodeBadSignature, "%s signature does not verify", k.scheme.name)
	}
	return nil
}

// verifyMessage hashes msg with the scheme's digest and checks sig.
func (k *gostKey) verifyMessage(msg, sig []byte) error {
	h := k.scheme.digest.New()
	h.Write(msg)
	return k.verifyDigest(h.Sum(nil), sig)
}

// checkAlgorithm refuses a signature algorithm or digest that does not
// belong to the key's scheme. Absent digest parameters are fine.
func (k *gostKey) checkAlgorithm(sigOID asn1.ObjectIdentifier, h hashAlg) error {
	if s := gostSchemeForSig(sigOID); s != k.scheme {
		return errf(CodeUnsupportedAlgorithm, "signature algorithm %s does not fit a %s key", sigOID, k.scheme.name)
	}
	if h.oid != nil && !h.oid.Equal(k.scheme.digest.oid) {
		return errf(CodeUnsupportedAlgorithm, "digest %s does not fit a %s key", h.oid, k.scheme.name)
	}
	return nil
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[len(b)-1-i] = c
	}
	return out
}
