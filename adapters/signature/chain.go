package signature

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"time"
)

// isGOSTCert reports whether cert has a GOST key or is signed with GOST:
// crypto/x509 cannot build its chain, chainGOST does.
func isGOSTCert(cert *x509.Certificate) bool {
	if isGOSTKey(cert) {
		return true
	}
	if cert.SignatureAlgorithm != x509.UnknownSignatureAlgorithm {
		return false
	}
	o, _, _, err := outerSignature(cert.Raw)
	return err == nil && isGOST(o)
}

// maxChainDepth bounds the certificates between a leaf and its anchor.
const maxChainDepth = 6

// chainGOST builds cert's chain to a trust anchor as of at, as crypto/x509
// would, for chains crypto/x509 cannot verify (GOST keys and signatures):
// each issuer found by subject (and key identifier) among candidates, valid
// at at, a CA allowed to sign certificates with room for the CAs below it
// (path length), its signature over the child verified; the extended key
// usage, when the leaf or an intermediate names any, must allow eku; no
// certificate may carry a critical extension this verifier does not know.
func (v *Verifier) chainGOST(cert *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	if err := checkCertAlgorithms(cert); err != nil {
		return nil, err
	}
	if !ekuAllows(cert, eku) {
		return nil, errf(CodeKeyUsage, "certificate %s does not allow the %v usage", serialOf(cert.SerialNumber), eku)
	}
	if len(cert.UnhandledCriticalExtensions) > 0 {
		return nil, errf(CodeCertUntrusted, "certificate %s has a critical extension this verifier does not know (%v)", serialOf(cert.SerialNumber), cert.UnhandledCriticalExtensions[0])
	}
	if v.isAnchor(cert) {
		return []*x509.Certificate{cert}, nil
	}
	candidates := append(append(append([]*x509.Certificate{}, v.cfg.Trust.rootList...), v.cfg.Trust.interList...), pool...)
	var firstErr *Error
	note := func(e *Error) {
		if firstErr == nil || firstErr.Code == CodeCertUntrusted {
			firstErr = e
		}
	}
	var walk func(chain []*x509.Certificate) []*x509.Certificate
	walk = func(chain []*x509.Certificate) []*x509.Certificate {
		c := chain[len(chain)-1]
		if len(chain) > 1 && v.isAnchor(c) {
			return chain
		}
		if len(chain) > maxChainDepth {
			return nil
		}
	next:
		for _, p := range candidates {
			if !bytes.Equal(p.RawSubject, c.RawIssuer) {
				continue
			}
			if len(c.AuthorityKeyId) > 0 && len(p.SubjectKeyId) > 0 && !bytes.Equal(c.AuthorityKeyId, p.SubjectKeyId) {
				continue
			}
			for _, q := range chain {
				if bytes.Equal(q.Raw, p.Raw) {
					continue next
				}
			}
			switch {
			case at.Before(p.NotBefore) || at.After(p.NotAfter):
				note(errf(CodeCertExpired, "CA certificate %q was not valid at %s", p.Subject.CommonName, at.UTC().Format(time.RFC3339)))
				continue
			case !p.BasicConstraintsValid || !p.IsCA:
				note(errf(CodeCertUntrusted, "issuer %q is not a CA", p.Subject.CommonName))
				continue
			case p.KeyUsage != 0 && p.KeyUsage&x509.KeyUsageCertSign == 0:
				note(errf(CodeCertUntrusted, "issuer %q may not sign certificates", p.Subject.CommonName))
				continue
			case !ekuAllows(p, eku):
				note(errf(CodeKeyUsage, "CA certificate %q does not allow the %v usage", p.Subject.CommonName, eku))
				continue
			case p.MaxPathLen >= 0 && len(chain)-1 > p.MaxPathLen:
				note(errf(CodeCertUntrusted, "CA certificate %q allows %d intermediate CAs below it, the chain has %d", p.Subject.CommonName, p.MaxPathLen, len(chain)-1))
				continue
			case len(p.UnhandledCriticalExtensions) > 0:
				note(errf(CodeCertUntrusted, "CA certificate %q has a critical extension this verifier does not know", p.Subject.CommonName))
				continue
			}
			if err := v.checkCertSignatureCached(c, p); err != nil {
				if e, ok := err.(*Error); ok && e.Code == CodeUnsupportedAlgorithm {
					note(e)
				} else {
					note(newErr(CodeCertUntrusted, "issuer's signature does not verify", err))
				}
				continue
			}
			if r := walk(append(chain, p)); r != nil {
				return r
			}
		}
		return nil
	}
	if chain := walk([]*x509.Certificate{cert}); chain != nil {
		return chain, nil
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if isSelfSigned(cert) {
		return nil, errf(CodeCertSelfSigned, "the certificate is self-signed and not a trust anchor")
	}
	return nil, errf(CodeCertUntrusted, "no chain to a trust anchor")
}

func (v *Verifier) isAnchor(c *x509.Certificate) bool {
	for _, r := range v.cfg.Trust.rootList {
		if bytes.Equal(r.Raw, c.Raw) {
			return true
		}
	}
	return false
}

func ekuAllows(c *x509.Certificate, eku x509.ExtKeyUsage) bool {
	if eku == x509.ExtKeyUsageAny || (len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0) {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == eku || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// checkCertSignatureCached checks that parent signed child, remembering
// successes: a signature that verified once verifies for ever, and a GOST
// verification costs far more than the lookup.
func (v *Verifier) checkCertSignatureCached(child, parent *x509.Certificate) error {
	key := [2][32]byte{sha256.Sum256(child.Raw), sha256.Sum256(parent.Raw)}
	if _, ok := v.sigOK.Load(key); ok {
		return nil
	}
	if err := checkCertSignature(child, parent); err != nil {
		return err
	}
	v.sigOK.Store(key, struct{}{})
	return nil
}
