package signature

import (
	"bytes"
	"crypto/x509"
	"errors"
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

// verifyTimestamp checks an RFC 3161 token: the TSA's signature, that the
// TSA certificate chains to a trust anchor at genTime with the timeStamping
// usage, and that the message imprint is the hash of signatureValue.
func (v *Verifier) verifyTimestamp(token, signatureValue []byte, pool []*x509.Certificate) (ts *TimestampEvidence, err error) {
	defer func() {
		if r := recover(); r != nil {
			ts, err = nil, errf(CodeTimestampInvalid, "timestamp token does not parse")
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
	// timestamp.Parse verifies the TSA's signature over the TSTInfo.
	t, err := timestamp.Parse(token)
	if err != nil {
		return nil, newErr(CodeTimestampInvalid, "timestamp token signature does not verify", err)
	}
	if !t.HashAlgorithm.Available() {
		return nil, errf(CodeUnsupportedAlgorithm, "timestamp imprint hash is not supported")
	}
	hh := t.HashAlgorithm.New()
	hh.Write(signatureValue)
	if !bytes.Equal(hh.Sum(nil), t.HashedMessage) {
		return nil, errf(CodeTimestampInvalid, "timestamp token is over another signature (message imprint differs)")
	}
	if _, err := v.chain(tsa, append(append([]*x509.Certificate{}, p7.Certificates...), pool...), t.Time, x509.ExtKeyUsageTimeStamping); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, newErr(CodeTimestampInvalid, "TSA certificate: "+e.Message, e)
		}
		return nil, newErr(CodeTimestampInvalid, "TSA certificate", err)
	}
	ev := &TimestampEvidence{Token: token, Time: t.Time.UTC(), TSA: tsa.Subject.String(), HashAlgorithm: hashName(t.HashAlgorithm)}
	if t.SerialNumber != nil {
		ev.SerialNumber = t.SerialNumber.Text(16)
	}
	return ev, nil
}
