package signature

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha1" // SHA-1 for old material
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"hash"
	"strings"
)

var (
	oidSHA1   = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidRSA          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASHA1      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidRSASHA256    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSASHA384    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidRSASHA512    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidECPublicKey  = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSASHA1    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidECDSASHA256  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512  = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	gostOIDPrefixes = []string{
		"1.2.398.3.10.",  // Kazakhstan: GOST 34.310-2004 / 34.311-95, GOST 34.10-2015
		"1.2.643.2.2.",   // CryptoPro GOST R 34.10-2001 / 34.11-94
		"1.2.643.7.1.1.", // GOST R 34.10-2012 / 34.11-2012 (Streebog)
	}
)

func isGOST(o asn1.ObjectIdentifier) bool {
	s := o.String()
	for _, p := range gostOIDPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// hashAlg is a digest the verifier supports: a standard crypto.Hash, or a
// GOST digest (which crypto.Hash cannot name).
type hashAlg struct {
	std     crypto.Hash
	newGOST func() hash.Hash
	name    string
	oid     asn1.ObjectIdentifier
}

// New returns a fresh hash.
func (h hashAlg) New() hash.Hash {
	if h.newGOST != nil {
		return h.newGOST()
	}
	return h.std.New()
}

func (h hashAlg) size() int {
	if h.newGOST != nil {
		return h.newGOST().Size()
	}
	return h.std.Size()
}

func (h hashAlg) String() string {
	if h.name != "" {
		return h.name
	}
	return hashName(h.std)
}

// digestHash maps a CMS digest algorithm to a hash the verifier supports.
func digestHash(o asn1.ObjectIdentifier) (hashAlg, error) {
	switch {
	case o.Equal(oidSHA1):
		return hashAlg{std: crypto.SHA1, oid: o}, nil
	case o.Equal(oidSHA256):
		return hashAlg{std: crypto.SHA256, oid: o}, nil
	case o.Equal(oidSHA384):
		return hashAlg{std: crypto.SHA384, oid: o}, nil
	case o.Equal(oidSHA512):
		return hashAlg{std: crypto.SHA512, oid: o}, nil
	}
	for _, h := range []hashAlg{hashGOST34311, hashStreebog256, hashStreebog512} {
		if o.Equal(h.oid) {
			return h, nil
		}
	}
	return hashAlg{}, unsupported("digest algorithm", o)
}

func unsupported(what string, o asn1.ObjectIdentifier) *Error {
	if isGOST(o) {
		return errf(CodeUnsupportedAlgorithm, "%s %s is a GOST algorithm this build does not verify (it verifies the Kazakh GOST 34.310-2004 and 34.10-2015 OIDs)", what, o)
	}
	return errf(CodeUnsupportedAlgorithm, "%s %s is not supported", what, o)
}

// signatureAlgorithm maps a CMS signer's (signature, digest) algorithm pair
// and the signer's key to an x509.SignatureAlgorithm.
func signatureAlgorithm(sigOID asn1.ObjectIdentifier, h crypto.Hash, cert *x509.Certificate) (x509.SignatureAlgorithm, error) {
	type pair struct {
		oid  asn1.ObjectIdentifier
		hash crypto.Hash
	}
	rsaAlgs := map[crypto.Hash]x509.SignatureAlgorithm{
		crypto.SHA1: x509.SHA1WithRSA, crypto.SHA256: x509.SHA256WithRSA,
		crypto.SHA384: x509.SHA384WithRSA, crypto.SHA512: x509.SHA512WithRSA,
	}
	ecAlgs := map[crypto.Hash]x509.SignatureAlgorithm{
		crypto.SHA1: x509.ECDSAWithSHA1, crypto.SHA256: x509.ECDSAWithSHA256,
		crypto.SHA384: x509.ECDSAWithSHA384, crypto.SHA512: x509.ECDSAWithSHA512,
	}
	specific := []pair{
		{oidRSASHA1, crypto.SHA1}, {oidRSASHA256, crypto.SHA256}, {oidRSASHA384, crypto.SHA384}, {oidRSASHA512, crypto.SHA512},
		{oidECDSASHA1, crypto.SHA1}, {oidECDSASHA256, crypto.SHA256}, {oidECDSASHA384, crypto.SHA384}, {oidECDSASHA512, crypto.SHA512},
	}
	for _, p := range specific {
		if sigOID.Equal(p.oid) && p.hash != h {
			return 0, errf(CodeUnsupportedAlgorithm, "signature algorithm %s does not match digest %v", sigOID, h)
		}
	}
	switch cert.PublicKeyAlgorithm {
	case x509.RSA:
		if sigOID.Equal(oidRSA) || sigOID.Equal(oidRSASHA1) || sigOID.Equal(oidRSASHA256) || sigOID.Equal(oidRSASHA384) || sigOID.Equal(oidRSASHA512) {
			return rsaAlgs[h], nil
		}
	case x509.ECDSA:
		if sigOID.Equal(oidECPublicKey) || sigOID.Equal(oidECDSASHA1) || sigOID.Equal(oidECDSASHA256) || sigOID.Equal(oidECDSASHA384) || sigOID.Equal(oidECDSASHA512) {
			return ecAlgs[h], nil
		}
	default:
		return 0, errf(CodeUnsupportedAlgorithm, "certificate key algorithm %v (GOST or other) cannot be verified by this build", cert.PublicKeyAlgorithm)
	}
	return 0, unsupported("signature algorithm", sigOID)
}

// checkCertAlgorithms refuses certificates whose key or signature algorithm
// this build cannot verify, so that they fail as "unsupported algorithm" and
// never as valid or as merely untrusted. Kazakh GOST keys and signatures are
// verified here; other GOST variants are not.
func checkCertAlgorithms(cert *x509.Certificate) error {
	switch {
	case isGOSTKey(cert):
		if _, err := parseGOSTKey(cert.RawSubjectPublicKeyInfo); err != nil {
			return err
		}
	case cert.PublicKeyAlgorithm != x509.RSA && cert.PublicKeyAlgorithm != x509.ECDSA:
		return errf(CodeUnsupportedAlgorithm, "certificate %q has key algorithm %v, which this build cannot verify", cert.Subject.CommonName, cert.PublicKeyAlgorithm)
	}
	if cert.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		o, _, _, err := outerSignature(cert.Raw)
		if err != nil {
			return newErr(CodeMalformedInput, "certificate does not parse", err)
		}
		if gostSchemeForSig(o) == nil {
			return errf(CodeUnsupportedAlgorithm, "certificate %q is signed with %s, which this build cannot verify", cert.Subject.CommonName, o)
		}
	}
	return nil
}

// signed is the outer layout of a certificate or CRL: to-be-signed part,
// algorithm, signature.
type signed struct {
	TBS       asn1.RawValue
	Algorithm struct {
		Algorithm  asn1.ObjectIdentifier
		Parameters asn1.RawValue `asn1:"optional"`
	}
	Signature asn1.BitString
}

// outerSignature reads the signature algorithm, the signed bytes and the
// signature of a certificate or CRL.
func outerSignature(der []byte) (asn1.ObjectIdentifier, []byte, []byte, error) {
	var s signed
	if _, err := asn1.Unmarshal(der, &s); err != nil {
		return nil, nil, nil, err
	}
	return s.Algorithm.Algorithm, s.TBS.FullBytes, s.Signature.RightAlign(), nil
}

// checkSignedBy checks that parent's key made sig over tbs with the
// signature algorithm sigAlg (the OID, for GOST) or x509Alg (otherwise).
func checkSignedBy(parent *x509.Certificate, sigAlg asn1.ObjectIdentifier, x509Alg x509.SignatureAlgorithm, tbs, sig []byte) error {
	if isGOSTKey(parent) {
		k, err := parseGOSTKey(parent.RawSubjectPublicKeyInfo)
		if err != nil {
			return err
		}
		if s := gostSchemeForSig(sigAlg); s != k.scheme {
			return errf(CodeUnsupportedAlgorithm, "signature algorithm %s does not fit the %s key of %q", sigAlg, k.scheme.name, parent.Subject.CommonName)
		}
		return k.verifyMessage(tbs, sig)
	}
	if x509Alg == x509.UnknownSignatureAlgorithm {
		return unsupported("signature algorithm", sigAlg)
	}
	if err := parent.CheckSignature(x509Alg, tbs, sig); err != nil {
		if _, ok := err.(x509.InsecureAlgorithmError); ok {
			return newErr(CodeUnsupportedAlgorithm, fmt.Sprintf("%v refused by crypto/x509", x509Alg), err)
		}
		return newErr(CodeBadSignature, "signature does not verify", err)
	}
	return nil
}

// checkCertSignature checks that parent signed child.
func checkCertSignature(child, parent *x509.Certificate) error {
	o, tbs, sig, err := outerSignature(child.Raw)
	if err != nil {
		return newErr(CodeMalformedInput, "certificate does not parse", err)
	}
	return checkSignedBy(parent, o, child.SignatureAlgorithm, tbs, sig)
}

// checkCMSAlgorithms refuses a signer whose signature and digest
// algorithms do not fit its key.
func checkCMSAlgorithms(cert *x509.Certificate, sigOID asn1.ObjectIdentifier, h hashAlg) error {
	if isGOSTKey(cert) {
		k, err := parseGOSTKey(cert.RawSubjectPublicKeyInfo)
		if err != nil {
			return err
		}
		return k.checkAlgorithm(sigOID, h)
	}
	if h.std == 0 {
		return errf(CodeUnsupportedAlgorithm, "digest %v does not fit a %v key", h, cert.PublicKeyAlgorithm)
	}
	_, err := signatureAlgorithm(sigOID, h.std, cert)
	return err
}

// verifyCMSSignature checks a CMS signer's signature: over the DER of the
// signed attributes when there are some, else over the content digest.
func verifyCMSSignature(cert *x509.Certificate, sigOID asn1.ObjectIdentifier, h hashAlg, signedAttrs, digest, sig []byte) error {
	if isGOSTKey(cert) {
		k, err := parseGOSTKey(cert.RawSubjectPublicKeyInfo)
		if err != nil {
			return err
		}
		if err := k.checkAlgorithm(sigOID, h); err != nil {
			return err
		}
		if len(signedAttrs) > 0 {
			return k.verifyMessage(signedAttrs, sig)
		}
		return k.verifyDigest(digest, sig)
	}
	if h.std == 0 {
		return errf(CodeUnsupportedAlgorithm, "digest %v does not fit a %v key", h, cert.PublicKeyAlgorithm)
	}
	alg, err := signatureAlgorithm(sigOID, h.std, cert)
	if err != nil {
		return err
	}
	if len(signedAttrs) > 0 {
		return verifyMessageSignature(cert, alg, signedAttrs, sig)
	}
	return verifyDigestSignature(cert, alg, h.std, digest, sig)
}

// verifyDigestSignature checks sig over a message whose hash is digest, for a
// signer without signed attributes (or for a raw signature).
func verifyDigestSignature(cert *x509.Certificate, alg x509.SignatureAlgorithm, h crypto.Hash, digest, sig []byte) error {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, h, digest, sig); err != nil {
			return newErr(CodeBadSignature, "RSA signature does not verify", err)
		}
		return nil
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			return errf(CodeBadSignature, "ECDSA signature does not verify")
		}
		return nil
	}
	return errf(CodeUnsupportedAlgorithm, "key type %T with %v cannot be verified", cert.PublicKey, alg)
}

// verifyMessageSignature checks sig over msg (the DER of signed attributes).
func verifyMessageSignature(cert *x509.Certificate, alg x509.SignatureAlgorithm, msg, sig []byte) error {
	if err := cert.CheckSignature(alg, msg, sig); err != nil {
		if _, ok := err.(x509.InsecureAlgorithmError); ok {
			return newErr(CodeUnsupportedAlgorithm, fmt.Sprintf("%v refused by crypto/x509", alg), err)
		}
		return newErr(CodeBadSignature, "signature over the signed attributes does not verify", err)
	}
	return nil
}
