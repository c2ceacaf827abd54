package signature

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// TimestampEvidence is an RFC 3161 timestamp token over a signature value.
type TimestampEvidence struct {
	// Token is the DER TimeStampToken (a CMS SignedData over TSTInfo).
	Token []byte `json:"token"`
	// Time is the TSA's genTime: the signing time.
	Time          time.Time `json:"time"`
	TSA           string    `json:"tsa,omitempty"`
	SerialNumber  string    `json:"serial_number,omitempty"`
	HashAlgorithm string    `json:"hash_algorithm,omitempty"`
}

// tokenInfo is what a verified timestamp token says.
type tokenInfo struct {
	tsa     *x509.Certificate
	certs   []*x509.Certificate
	time    time.Time
	serial  *big.Int
	imprint hashAlg
	hashed  []byte
}

// verifyTimestamp checks an RFC 3161 token: the TSA's signature, that the
// TSA certificate chains to a trust anchor at genTime with the timeStamping
// usage, and that the message imprint is the hash of signatureValue.
func (v *Verifier) verifyTimestamp(token, signatureValue []byte, pool []*x509.Certificate) (*TimestampEvidence, error) {
	t, err := parseTimestampToken(token)
	if err != nil {
		return nil, err
	}
	hh := t.imprint.New()
	hh.Write(signatureValue)
	if !bytes.Equal(hh.Sum(nil), t.hashed) {
		return nil, errf(CodeTimestampInvalid, "timestamp token is over another signature (message imprint differs)")
	}
	if _, err := v.chain(t.tsa, append(append([]*x509.Certificate{}, t.certs...), pool...), t.time, x509.ExtKeyUsageTimeStamping); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, newErr(CodeTimestampInvalid, "TSA certificate: "+e.Message, e)
		}
		return nil, newErr(CodeTimestampInvalid, "TSA certificate", err)
	}
	ev := &TimestampEvidence{Token: token, Time: t.time.UTC(), TSA: t.tsa.Subject.String(), HashAlgorithm: t.imprint.String()}
	if t.serial != nil {
		ev.SerialNumber = t.serial.Text(16)
	}
	return ev, nil
}

// parseTimestampToken parses token and verifies the TSA's signature over
// the TSTInfo: by github.com/digitorus/timestamp for RSA and ECDSA, by
// verifyTokenSigner for GOST.
func parseTimestampToken(token []byte) (t *tokenInfo, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, errf(CodeTimestampInvalid, "timestamp token does not parse")
		}
	}()
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return nil, newErr(CodeTimestampInvalid, "timestamp token does not parse", err)
	}
	tsa := p7.GetOnlySigner()
	if tsa == nil {
		return nil, errf(CodeTimestampInvalid, "timestamp token must carry exactly one signer and its certificate")
	}
	if err := checkCertAlgorithms(tsa); err != nil {
		return nil, err
	}
	if isGOSTKey(tsa) {
		if err := verifyTokenSigner(p7, tsa); err != nil {
			return nil, err
		}
		return parseTSTInfo(p7.Content, tsa, p7.Certificates)
	}
	// timestamp.Parse verifies the TSA's signature over the TSTInfo.
	ts, err := timestamp.Parse(token)
	if err != nil {
		return nil, newErr(CodeTimestampInvalid, "timestamp token signature does not verify", err)
	}
	if !ts.HashAlgorithm.Available() {
		return nil, errf(CodeUnsupportedAlgorithm, "timestamp imprint hash is not supported")
	}
	return &tokenInfo{tsa: tsa, certs: p7.Certificates, time: ts.Time, serial: ts.SerialNumber,
		imprint: hashAlg{std: ts.HashAlgorithm}, hashed: ts.HashedMessage}, nil
}

// verifyTokenSigner checks the one signer of a timestamp token with a GOST
// key: messageDigest over the TSTInfo and the signature over the signed
// attributes.
func verifyTokenSigner(p7 *pkcs7.PKCS7, tsa *x509.Certificate) error {
	si := p7.Signers[0]
	h, err := digestHash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return err
	}
	sigOID := si.DigestEncryptionAlgorithm.Algorithm
	if err := checkCMSAlgorithms(tsa, sigOID, h); err != nil {
		return err
	}
	d := h.New()
	d.Write(p7.Content)
	digest := d.Sum(nil)
	signedAttrs, md, err := signedAttributes(p7, 0)
	if err != nil {
		return newErr(CodeTimestampInvalid, "timestamp token signed attributes", err)
	}
	if signedAttrs == nil || !bytes.Equal(md, digest) {
		return errf(CodeTimestampInvalid, "timestamp token is not over its TSTInfo (message digest differs or is missing)")
	}
	if err := verifyCMSSignature(tsa, sigOID, h, signedAttrs, digest, si.EncryptedDigest); err != nil {
		return newErr(CodeTimestampInvalid, "timestamp token signature does not verify", err)
	}
	return nil
}

// tstInfo is RFC 3161 TSTInfo, up to genTime.
type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		Algorithm struct {
			Algorithm  asn1.ObjectIdentifier
			Parameters asn1.RawValue `asn1:"optional"`
		}
		Hashed []byte
	}
	SerialNumber *big.Int
	GenTime      time.Time `asn1:"generalized"`
}

func parseTSTInfo(der []byte, tsa *x509.Certificate, certs []*x509.Certificate) (*tokenInfo, error) {
	var ti tstInfo
	if _, err := asn1.Unmarshal(der, &ti); err != nil {
		return nil, newErr(CodeTimestampInvalid, "TSTInfo does not parse", err)
	}
	h, err := digestHash(ti.MessageImprint.Algorithm.Algorithm)
	if err != nil {
		return nil, err
	}
	return &tokenInfo{tsa: tsa, certs: certs, time: ti.GenTime, serial: ti.SerialNumber, imprint: h, hashed: ti.MessageImprint.Hashed}, nil
}
