package signature

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"docledger/adapters/signature/internal/ocspnonce"
)

// RevocationPolicy decides what happens when neither OCSP nor a CRL answers.
type RevocationPolicy int

// The policies. The zero value refuses.
const (
	// RefuseWhenUnavailable refuses the signature with
	// CodeRevocationUnavailable (the default).
	RefuseWhenUnavailable RevocationPolicy = iota
	// AcceptWhenUnavailable accepts it and records in the evidence that no
	// revocation answer was had.
	AcceptWhenUnavailable
)

// RevocationStatus is the revocation state of a certificate at signing time.
type RevocationStatus string

// The states recorded in the evidence.
const (
	StatusGood    RevocationStatus = "good"
	StatusRevoked RevocationStatus = "revoked"
	// StatusUnknown means no usable answer was had (responder down, "unknown"
	// answer and no CRL, or offline verification).
	StatusUnknown RevocationStatus = "unknown"
	// StatusNotCheckable is recorded for a CA certificate that names no
	// OCSP responder or CRL; it does not spoil the verdict.
	StatusNotCheckable RevocationStatus = "not_checkable"
)

// CRLRef identifies the CRL a revocation answer came from. The CRL itself is
// not kept (NCA CRLs run to megabytes); its SHA-256 pins the exact bytes.
type CRLRef struct {
	URL        string    `json:"url"`
	Issuer     string    `json:"issuer"`
	Number     string    `json:"number,omitempty"`
	ThisUpdate time.Time `json:"this_update"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	SHA256     string    `json:"sha256"`
}

// RevocationEvidence is the revocation answer kept with a signature.
type RevocationEvidence struct {
	// Method is "ocsp", "crl" or "none".
	Method string           `json:"method"`
	Status RevocationStatus `json:"status"`
	// OCSPResponse is the raw DER OCSP response, signed by the responder.
	OCSPResponse []byte    `json:"ocsp_response,omitempty"`
	OCSPURL      string    `json:"ocsp_url,omitempty"`
	ProducedAt   time.Time `json:"produced_at,omitzero"`
	ThisUpdate   time.Time `json:"this_update,omitzero"`
	NextUpdate   time.Time `json:"next_update,omitzero"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	// NonceMatched is true when the responder echoed this request's nonce; a
	// cached answer keeps the value of the request that fetched it.
	NonceMatched bool    `json:"nonce_matched,omitempty"`
	Cached       bool    `json:"cached,omitempty"`
	CRL          *CRLRef `json:"crl,omitempty"`
	// Note explains a missing answer (offline, responder down, accepted by
	// policy).
	Note string `json:"note,omitempty"`
}

// OCSPCache keeps revocation answers — OCSP answers, and what a CRL said of
// a certificate — until their nextUpdate (or MaxAge when there is none),
// keyed by issuer and serial. It is safe for concurrent use.
type OCSPCache struct {
	// MaxAge bounds how long an answer is reused; zero means 10 minutes.
	MaxAge time.Duration
	mu     sync.RWMutex
	m      map[string]cachedOCSP
}

type cachedOCSP struct {
	ev      RevocationEvidence
	expires time.Time
}

// NewOCSPCache returns an empty cache reusing answers for at most maxAge.
func NewOCSPCache(maxAge time.Duration) *OCSPCache {
	return &OCSPCache{MaxAge: maxAge, m: map[string]cachedOCSP{}}
}

func cacheKey(cert *x509.Certificate) string {
	return hex.EncodeToString(cert.RawIssuer) + "/" + cert.SerialNumber.Text(16)
}

func (c *OCSPCache) get(cert *x509.Certificate, now time.Time) (RevocationEvidence, bool) {
	if c == nil {
		return RevocationEvidence{}, false
	}
	c.mu.RLock()
	e, ok := c.m[cacheKey(cert)]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return RevocationEvidence{}, false
	}
	ev := e.ev
	ev.Cached = true
	return ev, true
}

func (c *OCSPCache) put(cert *x509.Certificate, ev RevocationEvidence, now time.Time) {
	if c == nil {
		return
	}
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = 10 * time.Minute
	}
	exp := now.Add(maxAge)
	if !ev.NextUpdate.IsZero() && ev.NextUpdate.Before(exp) {
		exp = ev.NextUpdate
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedOCSP{}
	}
	c.m[cacheKey(cert)] = cachedOCSP{ev: ev, expires: exp}
	c.mu.Unlock()
}

// checkRevocation asks OCSP, then the CRL, and applies the policy. It returns
// the evidence and a refusal (revoked, or unavailable under the refusing
// policy). For a CA certificate (ca) only the certificate's own OCSP
// responder and CRL are asked (Config.OCSPResponder answers for end-user
// certificates), and a CA certificate that names neither is recorded as not
// checkable without spoiling the verdict: NCA intermediates name a CRL.
func (v *Verifier) checkRevocation(ctx context.Context, leaf, issuer *x509.Certificate, signingTime time.Time, ca bool) (RevocationEvidence, error) {
	now := v.now()
	what := "certificate"
	if ca {
		what = "CA certificate"
		if len(leaf.OCSPServer) == 0 && len(leaf.CRLDistributionPoints) == 0 {
			return RevocationEvidence{Method: "none", Status: StatusNotCheckable, Note: "the CA certificate names no OCSP responder or CRL"}, nil
		}
	}
	if v.cfg.Offline {
		return RevocationEvidence{Method: "none", Status: StatusUnknown, Note: "offline verification: revocation not checked"}, nil
	}
	var notes []string
	ev, ok := v.cfg.OCSPCache.get(leaf, now)
	if !ok {
		var err error
		ev, err = v.askOCSP(ctx, leaf, issuer, now, ca)
		if err != nil {
			notes = append(notes, err.Error())
		} else if ev.Status != StatusUnknown {
			v.cfg.OCSPCache.put(leaf, ev, now)
		} else {
			notes = append(notes, "OCSP responder answered unknown")
		}
	}
	if ev.Status == "" || ev.Status == StatusUnknown {
		crlEv, err := v.askCRL(ctx, leaf, issuer, now)
		if err != nil {
			notes = append(notes, err.Error())
		} else {
			ev = crlEv
			v.cfg.OCSPCache.put(leaf, ev, now)
		}
	}
	if ev.Status == "" || ev.Status == StatusUnknown {
		ev = RevocationEvidence{Method: "none", Status: StatusUnknown, Note: joinNotes(notes)}
		if v.cfg.Revocation == AcceptWhenUnavailable {
			ev.Note = "no revocation answer; accepted by policy: " + ev.Note
			return ev, nil
		}
		return ev, errf(CodeRevocationUnavailable, "no revocation answer for %s %s: %s", what, leaf.SerialNumber.Text(16), ev.Note)
	}
	if ev.Status == StatusRevoked && !ev.RevokedAt.After(signingTime) {
		return ev, errf(CodeCertRevoked, "%s %s revoked at %s, before signing time %s", what,
			leaf.SerialNumber.Text(16), ev.RevokedAt.UTC().Format(time.RFC3339), signingTime.UTC().Format(time.RFC3339))
	}
	return ev, nil
}

func joinNotes(n []string) string {
	if len(n) == 0 {
		return "no OCSP responder or CRL distribution point"
	}
	var b bytes.Buffer
	for i, s := range n {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s)
	}
	return b.String()
}

func (v *Verifier) askOCSP(ctx context.Context, leaf, issuer *x509.Certificate, now time.Time, ca bool) (RevocationEvidence, error) {
	url := v.cfg.OCSPResponder
	if ca {
		url = ""
	}
	if url == "" && len(leaf.OCSPServer) > 0 {
		url = leaf.OCSPServer[0]
	}
	if url == "" {
		return RevocationEvidence{}, errors.New("no OCSP responder")
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return RevocationEvidence{}, fmt.Errorf("ocsp nonce: %w", err)
	}
	reqDER, err := ocspnonce.Request(leaf, issuer, nonce)
	if err != nil {
		return RevocationEvidence{}, fmt.Errorf("ocsp request: %w", err)
	}
	raw, err := v.post(ctx, url, "application/ocsp-request", reqDER)
	if err != nil {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: %w", url, err)
	}
	resp, err := parseOCSP(raw, leaf, issuer)
	if err != nil {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: %w", url, err)
	}
	got, err := ocspnonce.FromResponse(resp)
	if err != nil {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: nonce: %w", url, err)
	}
	if got != nil && !bytes.Equal(got, nonce) {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: response nonce does not match the request (replayed answer?)", url)
	}
	if got == nil && now.Sub(resp.ProducedAt) > v.cfg.maxOCSPAge() {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: answer without nonce produced at %s is too old", url, resp.ProducedAt.UTC().Format(time.RFC3339))
	}
	if !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate) {
		return RevocationEvidence{}, fmt.Errorf("ocsp %s: answer expired at %s", url, resp.NextUpdate.UTC().Format(time.RFC3339))
	}
	ev := ocspEvidence(resp, raw)
	ev.OCSPURL = url
	ev.NonceMatched = got != nil
	return ev, nil
}

// parseOCSP parses raw for leaf and checks it is signed by issuer or by a
// responder certificate that issuer delegated with the OCSPSigning usage.
// x/crypto/ocsp checks RSA and ECDSA signatures; for a GOST issuer,
// parseOCSPGOST does.
func parseOCSP(raw []byte, leaf, issuer *x509.Certificate) (*ocsp.Response, error) {
	if isGOSTKey(issuer) {
		return parseOCSPGOST(raw, leaf, issuer)
	}
	resp, err := ocsp.ParseResponseForCert(raw, leaf, issuer)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	if resp.Certificate != nil && !bytes.Equal(resp.Certificate.Raw, issuer.Raw) {
		ok := false
		for _, u := range resp.Certificate.ExtKeyUsage {
			ok = ok || u == x509.ExtKeyUsageOCSPSigning
		}
		if !ok {
			return nil, errors.New("responder certificate lacks the OCSPSigning usage")
		}
	}
	return resp, nil
}

// ocspResponse and ocspBasic are the outer layers of an OCSP response
// (RFC 6960 4.2.1).
type ocspResponse struct {
	Status   asn1.Enumerated
	Response struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	} `asn1:"explicit,tag:0,optional"`
}

type ocspBasic struct {
	TBS       asn1.RawValue
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

var oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// parseOCSPGOST checks a GOST-signed OCSP response: the responder is the
// issuer, or a certificate in the response that the issuer signed with the
// OCSPSigning usage; its signature over the response data must verify. The
// rest is parsed by x/crypto/ocsp from a copy without the certificates (it
// then checks no signature: that was done here).
func parseOCSPGOST(raw []byte, leaf, issuer *x509.Certificate) (*ocsp.Response, error) {
	var r ocspResponse
	if rest, err := asn1.Unmarshal(raw, &r); err != nil || len(rest) > 0 {
		return nil, errors.New("parse response: not an OCSP response")
	}
	if r.Status != 0 || !r.Response.Type.Equal(oidOCSPBasic) {
		return nil, fmt.Errorf("parse response: status %d, type %s", r.Status, r.Response.Type)
	}
	var b ocspBasic
	if rest, err := asn1.Unmarshal(r.Response.Response, &b); err != nil || len(rest) > 0 {
		return nil, errors.New("parse response: basic response does not parse")
	}
	signer := issuer
	if len(b.Certs) > 0 {
		c, err := x509.ParseCertificate(b.Certs[0].FullBytes)
		if err != nil {
			return nil, fmt.Errorf("parse response: responder certificate: %w", err)
		}
		if !bytes.Equal(c.Raw, issuer.Raw) {
			if err := checkCertSignature(c, issuer); err != nil {
				return nil, fmt.Errorf("responder certificate not signed by the issuer: %w", err)
			}
			ok := false
			for _, u := range c.ExtKeyUsage {
				ok = ok || u == x509.ExtKeyUsageOCSPSigning
			}
			if !ok {
				return nil, errors.New("responder certificate lacks the OCSPSigning usage")
			}
			signer = c
		}
	}
	if err := checkSignedBy(signer, b.Algorithm.Algorithm, x509.UnknownSignatureAlgorithm, b.TBS.FullBytes, b.Signature.RightAlign()); err != nil {
		return nil, fmt.Errorf("bad OCSP signature: %w", err)
	}
	b.Certs = nil
	basic, err := asn1.Marshal(b)
	if err != nil {
		return nil, err
	}
	r.Response.Response = basic
	bare, err := asn1.Marshal(r)
	if err != nil {
		return nil, err
	}
	resp, err := ocsp.ParseResponseForCert(bare, leaf, nil)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	resp.Raw = raw
	if signer != issuer {
		resp.Certificate = signer
	}
	return resp, nil
}

func ocspEvidence(resp *ocsp.Response, raw []byte) RevocationEvidence {
	ev := RevocationEvidence{
		Method: "ocsp", OCSPResponse: raw,
		ProducedAt: resp.ProducedAt, ThisUpdate: resp.ThisUpdate, NextUpdate: resp.NextUpdate,
	}
	switch resp.Status {
	case ocsp.Good:
		ev.Status = StatusGood
	case ocsp.Revoked:
		ev.Status = StatusRevoked
		ev.RevokedAt = resp.RevokedAt
	default:
		ev.Status = StatusUnknown
	}
	return ev
}

func (v *Verifier) askCRL(ctx context.Context, leaf, issuer *x509.Certificate, now time.Time) (RevocationEvidence, error) {
	if len(leaf.CRLDistributionPoints) == 0 {
		return RevocationEvidence{}, errors.New("no CRL distribution point")
	}
	var lastErr error
	for _, url := range leaf.CRLDistributionPoints {
		raw, err := v.get(ctx, url)
		if err != nil {
			lastErr = fmt.Errorf("crl %s: %w", url, err)
			continue
		}
		crl, err := x509.ParseRevocationList(raw)
		if err != nil {
			lastErr = fmt.Errorf("crl %s: parse: %w", url, err)
			continue
		}
		if err := checkCRLSignature(crl, issuer); err != nil {
			lastErr = fmt.Errorf("crl %s: not signed by the issuer: %w", url, err)
			continue
		}
		if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
			lastErr = fmt.Errorf("crl %s: stale since %s", url, crl.NextUpdate.UTC().Format(time.RFC3339))
			continue
		}
		sum := sha256.Sum256(raw)
		ref := &CRLRef{URL: url, Issuer: crl.Issuer.String(), ThisUpdate: crl.ThisUpdate, NextUpdate: crl.NextUpdate, SHA256: hex.EncodeToString(sum[:])}
		if crl.Number != nil {
			ref.Number = crl.Number.String()
		}
		ev := RevocationEvidence{Method: "crl", Status: StatusGood, CRL: ref, ThisUpdate: crl.ThisUpdate, NextUpdate: crl.NextUpdate}
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber != nil && e.SerialNumber.Cmp(leaf.SerialNumber) == 0 {
				ev.Status = StatusRevoked
				ev.RevokedAt = e.RevocationTime
			}
		}
		return ev, nil
	}
	return RevocationEvidence{}, lastErr
}

func (v *Verifier) post(ctx context.Context, url, ctype string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	return v.do(req)
}

func (v *Verifier) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return v.do(req)
}

func (v *Verifier) do(req *http.Request) ([]byte, error) {
	ctx, cancel := context.WithTimeout(req.Context(), v.cfg.timeout())
	defer cancel()
	resp, err := v.cfg.HTTPClient.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}

// serialOf formats a serial for messages.
func serialOf(n *big.Int) string { return n.Text(16) }

// checkCRLSignature checks that issuer signed crl (GOST or not) and may sign
// CRLs.
func checkCRLSignature(crl *x509.RevocationList, issuer *x509.Certificate) error {
	if !isGOSTKey(issuer) {
		return crl.CheckSignatureFrom(issuer)
	}
	if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) {
		return errors.New("CRL issuer is not the certificate's issuer")
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return errors.New("issuer may not sign CRLs")
	}
	o, tbs, sig, err := outerSignature(crl.Raw)
	if err != nil {
		return err
	}
	return checkSignedBy(issuer, o, crl.SignatureAlgorithm, tbs, sig)
}
