package signature

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// TrustStore holds the trust anchors (NCA RK roots) and the intermediate CA
// certificates chains are built through. It is safe for concurrent use once
// built.
type TrustStore struct {
	roots         *x509.CertPool
	intermediates *x509.CertPool
	rootList      []*x509.Certificate
	interList     []*x509.Certificate
}

// NewTrustStore returns a store trusting roots and building chains through
// intermediates (which are not trusted by themselves).
func NewTrustStore(roots, intermediates []*x509.Certificate) *TrustStore {
	ts := &TrustStore{roots: x509.NewCertPool(), intermediates: x509.NewCertPool()}
	for _, c := range roots {
		ts.roots.AddCert(c)
		ts.rootList = append(ts.rootList, c)
	}
	for _, c := range intermediates {
		ts.intermediates.AddCert(c)
		ts.interList = append(ts.interList, c)
	}
	return ts
}

// LoadTrustDir reads every *.pem, *.crt, *.cer and *.der file in dir (PEM with
// one or more certificates, or a single DER certificate). Self-signed
// certificates become trust anchors; the others become intermediates. It
// fails when a file does not parse or when no anchor is found.
func LoadTrustDir(dir string) (*TrustStore, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read trust directory: %w", err)
	}
	var roots, inters []*x509.Certificate
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || (ext != ".pem" && ext != ".crt" && ext != ".cer" && ext != ".der") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read trust file: %w", err)
		}
		certs, err := parseCertificates(b)
		if err != nil {
			return nil, fmt.Errorf("trust file %s: %w", e.Name(), err)
		}
		for _, c := range certs {
			if isSelfSigned(c) {
				roots = append(roots, c)
			} else {
				inters = append(inters, c)
			}
		}
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("trust directory %s holds no self-signed root certificate", dir)
	}
	return NewTrustStore(roots, inters), nil
}

// Roots returns the trust anchors.
func (ts *TrustStore) Roots() []*x509.Certificate { return ts.rootList }

// parseCertificates reads PEM (all CERTIFICATE blocks), or DER or base64 of a
// single certificate.
func parseCertificates(b []byte) ([]*x509.Certificate, error) {
	if bytes.Contains(b, []byte("-----BEGIN")) {
		var out []*x509.Certificate
		rest := b
		for {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no CERTIFICATE block")
		}
		return out, nil
	}
	der, err := decodeDER(b)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return []*x509.Certificate{c}, nil
}

func isSelfSigned(c *x509.Certificate) bool {
	// CheckSignatureFrom would insist on a CA; a self-signed end-entity
	// certificate must be recognised too.
	return bytes.Equal(c.RawIssuer, c.RawSubject) && checkCertSignature(c, c) == nil
}
