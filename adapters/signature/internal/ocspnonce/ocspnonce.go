// Package ocspnonce adds the RFC 8954 nonce extension to OCSP requests made by
// golang.org/x/crypto/ocsp (which has no request extensions) and reads it
// back, for the verifier and for the test responder.
package ocspnonce

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"

	"golang.org/x/crypto/ocsp"
)

// OID is id-pkix-ocsp-nonce.
var OID = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

type request struct {
	TBS       tbsRequest
	Signature asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type tbsRequest struct {
	Version       int           `asn1:"explicit,tag:0,default:0,optional"`
	RequestorName asn1.RawValue `asn1:"explicit,tag:1,optional"`
	RequestList   []asn1.RawValue
	Extensions    []pkix.Extension `asn1:"explicit,tag:2,optional"`
}

// Request returns a DER OCSP request for cert, issued by issuer, carrying nonce.
func Request(cert, issuer *x509.Certificate, nonce []byte) ([]byte, error) {
	base, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA1})
	if err != nil {
		return nil, err
	}
	var r request
	if _, err := asn1.Unmarshal(base, &r); err != nil {
		return nil, err
	}
	v, err := asn1.Marshal(nonce)
	if err != nil {
		return nil, err
	}
	r.TBS.Extensions = append(r.TBS.Extensions, pkix.Extension{Id: OID, Value: v})
	return asn1.Marshal(r)
}

// FromRequest returns the nonce of a DER OCSP request, or nil when it has none.
func FromRequest(der []byte) ([]byte, error) {
	var r request
	rest, err := asn1.Unmarshal(der, &r)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, errors.New("trailing data after OCSP request")
	}
	return fromExtensions(r.TBS.Extensions)
}

// FromResponse returns the nonce echoed in a parsed OCSP response, or nil.
func FromResponse(resp *ocsp.Response) ([]byte, error) {
	return fromExtensions(resp.Extensions)
}

// Extension returns the response extension that echoes nonce.
func Extension(nonce []byte) pkix.Extension {
	v, _ := asn1.Marshal(nonce)
	return pkix.Extension{Id: OID, Value: v}
}

func fromExtensions(exts []pkix.Extension) ([]byte, error) {
	for _, e := range exts {
		if !e.Id.Equal(OID) {
			continue
		}
		var n []byte
		if _, err := asn1.Unmarshal(e.Value, &n); err != nil {
			// Some responders put the raw nonce in extnValue.
			return bytes.Clone(e.Value), nil
		}
		return n, nil
	}
	return nil, nil
}
