package signature

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"

	"github.com/digitorus/pkcs7"
)

// oidCountersignature is the RFC 5652 11.4 countersignature attribute: an
// unsigned attribute of a signer whose values are SignerInfos over that
// signer's signature value.
var oidCountersignature = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 6}

// cmsSignerInfo is RFC 5652 SignerInfo, for the countersignatures
// github.com/digitorus/pkcs7 does not parse.
type cmsSignerInfo struct {
	Version int
	SID     struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

// verifyCountersignatures verifies every countersignature on signer i of
// p7 (whose evidence is se) as a signer of se.Signature: the messageDigest
// over the signature value, the countersigner's signature, its signing time
// (its own timestamp token, else the receipt time), chain, key usage and
// revocation. A countersignature that fails makes the signer fail with the
// countersignature's reason.
func (v *Verifier) verifyCountersignatures(ctx context.Context, p7 *pkcs7.PKCS7, i int, se *SignerEvidence, req Request) error {
	n := 0
	for _, a := range p7.Signers[i].UnauthenticatedAttributes {
		if !a.Type.Equal(oidCountersignature) {
			continue
		}
		rest := a.Value.Bytes
		for len(rest) > 0 {
			var csi cmsSignerInfo
			var err error
			rest, err = asn1.Unmarshal(rest, &csi)
			if err != nil {
				return newErr(CodeMalformedCMS, "countersignature does not parse", err)
			}
			cse, err := v.verifyCountersigner(ctx, p7, csi, se.Signature, req)
			se.Countersignatures = append(se.Countersignatures, cse)
			if err != nil {
				return countersignErr(n, err)
			}
			n++
		}
	}
	return nil
}

func (v *Verifier) verifyCountersigner(ctx context.Context, p7 *pkcs7.PKCS7, csi cmsSignerInfo, signatureValue []byte, req Request) (SignerEvidence, error) {
	cse := SignerEvidence{
		DigestAlgorithm:    csi.DigestAlgorithm.Algorithm.String(),
		SignatureAlgorithm: csi.SignatureAlgorithm.Algorithm.String(),
		Signature:          csi.Signature,
		Verdict:            VerdictValid,
	}
	var cert *x509.Certificate
	for _, c := range p7.Certificates {
		if csi.SID.Serial != nil && c.SerialNumber.Cmp(csi.SID.Serial) == 0 && bytes.Equal(c.RawIssuer, csi.SID.Issuer.FullBytes) {
			cert = c
			break
		}
	}
	if cert == nil {
		return cse, errf(CodeSignerCertMissing, "the CMS does not carry the countersigner's certificate")
	}
	cse.Identity = IdentityOf(cert)
	cse.Chain = [][]byte{cert.Raw}
	if len(csi.SignedAttrs.FullBytes) > 0 {
		// The signature is over the attributes as a SET: the [0] tag
		// becomes SET, the bytes stay as the countersigner wrote them.
		cse.SignedAttributes = append([]byte{0x31}, csi.SignedAttrs.FullBytes[1:]...)
	}
	if len(csi.UnsignedAttrs.Bytes) > 0 {
		var attrs []attr
		if _, err := asn1.UnmarshalWithParams(append([]byte{0x31}, csi.UnsignedAttrs.FullBytes[1:]...), &attrs, "set"); err == nil {
			for _, a := range attrs {
				if a.Type.Equal(oidTimeStampToken) {
					cse.Timestamp = &TimestampEvidence{Token: a.Value.Bytes}
				}
			}
		}
	}
	h, err := digestHash(csi.DigestAlgorithm.Algorithm)
	if err != nil {
		return cse, err
	}
	d := h.New()
	d.Write(signatureValue)
	cse.ContentDigest = d.Sum(nil)
	if err := v.check(&cse, material{cert: cert, pool: p7.Certificates}, req.ReceivedAt, req.Purpose); err != nil {
		return cse, err
	}
	if err := v.revocationFor(ctx, &cse, cert); err != nil {
		return cse, err
	}
	return cse, nil
}

// countersignDigestMatches checks that stored countersignature evidence
// is over the stored signature value (Reverify).
func countersignDigestMatches(cs SignerEvidence, signatureValue []byte) error {
	o, err := parseOID(cs.DigestAlgorithm)
	if err != nil {
		return err
	}
	h, err := digestHash(o)
	if err != nil {
		return err
	}
	d := h.New()
	d.Write(signatureValue)
	if !bytes.Equal(d.Sum(nil), cs.ContentDigest) {
		return errf(CodeEvidenceInvalid, "stored countersignature is not over the signer's signature value")
	}
	return nil
}

// countersignErr keeps the code of a countersignature's refusal and says
// which countersignature it is.
func countersignErr(j int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, Message: "countersignature " + itoa(j) + ": " + e.Message, Err: e.Err}
	}
	return newErr(CodeMalformedCMS, "countersignature "+itoa(j), err)
}
