package signature

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/digitorus/pkcs7"
)

// Config configures a Verifier.
type Config struct {
	// Trust holds the trust anchors; required.
	Trust *TrustStore
	// HTTPClient fetches OCSP answers and CRLs; nil means a client with
	// Timeout as its per-request limit.
	HTTPClient *http.Client
	// Timeout bounds each OCSP or CRL request; zero means 10 s.
	Timeout time.Duration
	// OCSPResponder, when set, is asked instead of the responder named in
	// the certificate.
	OCSPResponder string
	// OCSPCache, when set, reuses OCSP answers until their nextUpdate.
	OCSPCache *OCSPCache
	// MaxOCSPAge bounds the age of an OCSP answer that does not echo the
	// nonce; zero means 5 minutes.
	MaxOCSPAge time.Duration
	// Revocation decides when no revocation answer can be had; the zero
	// value refuses.
	Revocation RevocationPolicy
	// Offline skips network revocation checks; the verdict then says
	// VerdictValidUncheckedRevocation instead of VerdictValid.
	Offline bool
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
}

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return 10 * time.Second
}

func (c Config) maxOCSPAge() time.Duration {
	if c.MaxOCSPAge > 0 {
		return c.MaxOCSPAge
	}
	return 5 * time.Minute
}

// Verifier verifies CMS and raw EDS signatures and produces evidence. It is
// safe for concurrent use.
type Verifier struct {
	cfg Config
	// sigOK remembers certificate signatures that verified (child and
	// parent SHA-256), for chainGOST.
	sigOK sync.Map
}

// NewVerifier returns a verifier, refusing a configuration without trust
// anchors.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Trust == nil || len(cfg.Trust.rootList) == 0 {
		return nil, errors.New("signature: verifier needs trust anchors")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: cfg.timeout()}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return &Verifier{cfg: cfg}, nil
}

func (v *Verifier) now() time.Time { return v.cfg.Clock() }

// Purpose is what a signature is for; it decides which certificates may make
// it.
type Purpose string

// The purposes.
const (
	// PurposeDocument signs a document: needs a SIGN certificate.
	PurposeDocument Purpose = "document"
	// PurposeLogin proves possession of a key at login: needs an AUTH
	// certificate.
	PurposeLogin Purpose = "login"
)

// Request is one signature to verify.
type Request struct {
	// CMS is the signature as DER, PEM or base64.
	CMS []byte
	// Content is the signed data of a detached signature. For an attached
	// signature it may be given too and must then equal the embedded content.
	Content []byte
	// ReceivedAt is when the ledger received the signature: the signing time
	// when the CMS carries no timestamp token. Zero means the clock's now.
	ReceivedAt time.Time
	// Purpose defaults to PurposeDocument.
	Purpose Purpose
}

// Verify checks every signer of req.CMS: the signature over the content, the
// signing time (timestamp token, else ReceivedAt), the chain to a trust
// anchor at that time, the key usage for req.Purpose and revocation. It
// returns the evidence and nil only when every signer is valid; otherwise the
// evidence (nil when the input does not parse) and an *Error whose Code is
// the first refusal. Errors: every Code of this package except the authority
// ones (CodeIINMismatch, CodeBINMismatch, CodeRoleNotAllowed).
func (v *Verifier) Verify(ctx context.Context, req Request) (*Evidence, error) {
	p7, err := parseCMS(req.CMS)
	if err != nil {
		return nil, err
	}
	if req.Purpose == "" {
		req.Purpose = PurposeDocument
	}
	now := v.now()
	if req.ReceivedAt.IsZero() {
		req.ReceivedAt = now
	}
	ev := &Evidence{Version: EvidenceVersion, VerifiedAt: now.UTC(), Purpose: req.Purpose, Offline: v.cfg.Offline}
	content := p7.Content
	switch {
	case len(p7.Content) == 0 && req.Content == nil:
		return ev.refuse(errf(CodeContentMissing, "detached signature and no content given"))
	case len(p7.Content) == 0:
		content = req.Content
		ev.Detached = true
	case req.Content != nil && !bytes.Equal(req.Content, p7.Content):
		return ev.refuse(errf(CodeContentMismatch, "given content differs from the content embedded in the CMS"))
	}
	sum := sha256.Sum256(content)
	ev.ContentSHA256 = hex.EncodeToString(sum[:])

	for i := range p7.Signers {
		se, err := v.verifySigner(ctx, p7, i, content, req)
		if err != nil {
			se.Reasons = append(se.Reasons, reasonOf(err, i))
			se.Verdict = VerdictInvalid
		}
		ev.Signers = append(ev.Signers, se)
	}
	return ev.conclude()
}

// attr has the layout of a CMS Attribute, for re-encoding signed attributes.
type attr struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

var (
	oidMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
)

func (v *Verifier) verifySigner(ctx context.Context, p7 *pkcs7.PKCS7, i int, content []byte, req Request) (SignerEvidence, error) {
	si := p7.Signers[i]
	se := SignerEvidence{
		DigestAlgorithm:    si.DigestAlgorithm.Algorithm.String(),
		SignatureAlgorithm: si.DigestEncryptionAlgorithm.Algorithm.String(),
		Signature:          si.EncryptedDigest,
		Verdict:            VerdictValid,
	}
	var cert *x509.Certificate
	for _, c := range p7.Certificates {
		if c.SerialNumber.Cmp(si.IssuerAndSerialNumber.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, si.IssuerAndSerialNumber.IssuerName.FullBytes) {
			cert = c
			break
		}
	}
	if cert == nil {
		return se, errf(CodeSignerCertMissing, "the CMS does not carry the certificate of signer %d", i)
	}
	se.Identity = IdentityOf(cert)
	se.Chain = [][]byte{cert.Raw}
	h, err := digestHash(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return se, err
	}
	d := h.New()
	d.Write(content)
	se.ContentDigest = d.Sum(nil)
	if se.SignedAttributes, _, err = signedAttributes(p7, i); err != nil {
		return se, newErr(CodeMalformedCMS, "signed attributes do not encode", err)
	}
	for _, a := range si.UnauthenticatedAttributes {
		if attr(a).Type.Equal(oidTimeStampToken) {
			se.Timestamp = &TimestampEvidence{Token: a.Value.Bytes}
		}
	}
	m := material{cert: cert, pool: p7.Certificates}
	if err := v.check(&se, m, req.ReceivedAt, req.Purpose); err != nil {
		return se, err
	}
	if err := v.revocationFor(ctx, &se, cert); err != nil {
		return se, err
	}
	if err := v.verifyCountersignatures(ctx, p7, i, &se, req); err != nil {
		return se, err
	}
	for _, cs := range se.Countersignatures {
		if cs.Verdict == VerdictValidUncheckedRevocation {
			se.Verdict = VerdictValidUncheckedRevocation
		}
	}
	return se, nil
}

// revocationFor checks revocation of cert (whose chain is in se) and of
// the intermediate CA certificates of its chain, and records the answers in
// se.
func (v *Verifier) revocationFor(ctx context.Context, se *SignerEvidence, cert *x509.Certificate) error {
	chain := make([]*x509.Certificate, 0, len(se.Chain))
	for _, der := range se.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return newErr(CodeMalformedInput, "chain certificate does not parse", err)
		}
		chain = append(chain, c)
	}
	if len(chain) < 2 {
		return errf(CodeCertUntrusted, "a trust anchor cannot be a signer (%q)", cert.Subject.CommonName)
	}
	rev, err := v.checkRevocation(ctx, cert, chain[1], se.SigningTime, false)
	se.Revocation = &rev
	if err != nil {
		return err
	}
	unchecked := rev.Status == StatusUnknown
	for i := 1; i+1 < len(chain); i++ {
		rev, err := v.checkRevocation(ctx, chain[i], chain[i+1], se.SigningTime, true)
		se.ChainRevocation = append(se.ChainRevocation, rev)
		if err != nil {
			return err
		}
		unchecked = unchecked || rev.Status == StatusUnknown
	}
	if unchecked {
		se.Verdict = VerdictValidUncheckedRevocation
	}
	return nil
}

// material is what check needs besides the evidence fields.
type material struct {
	cert *x509.Certificate
	pool []*x509.Certificate // certificates that may serve as intermediates
}

// check verifies, from the fields of se (algorithms, content digest, signed
// attributes, signature, timestamp token), the signature, the signing time,
// the validity, the chain and the key usage. It fills se.SigningTime, its
// source, the timestamp details and the chain. Verify and Reverify share it.
func (v *Verifier) check(se *SignerEvidence, m material, receivedAt time.Time, purpose Purpose) error {
	cert := m.cert
	if err := checkCertAlgorithms(cert); err != nil {
		return err
	}
	digestOID, err := parseOID(se.DigestAlgorithm)
	if err != nil {
		return err
	}
	sigOID, err := parseOID(se.SignatureAlgorithm)
	if err != nil {
		return err
	}
	h, err := digestHash(digestOID)
	if err != nil {
		return err
	}
	if err := checkCMSAlgorithms(cert, sigOID, h); err != nil {
		return err
	}
	var signedAttrs []byte
	if len(se.SignedAttributes) > 0 {
		var attrs []attr
		if _, err := asn1.UnmarshalWithParams(se.SignedAttributes, &attrs, "set"); err != nil {
			return newErr(CodeMalformedCMS, "signed attributes do not parse", err)
		}
		var md []byte
		for _, a := range attrs {
			switch {
			case a.Type.Equal(oidMessageDigest):
				if _, err := asn1.Unmarshal(a.Value.Bytes, &md); err != nil {
					return newErr(CodeMalformedCMS, "messageDigest attribute does not parse", err)
				}
			case a.Type.Equal(oidSigningTime):
				var t time.Time
				if _, err := asn1.Unmarshal(a.Value.Bytes, &t); err == nil {
					t = t.UTC()
					se.ClaimedSigningTime = &t
				}
			}
		}
		if md == nil {
			return errf(CodeMalformedCMS, "signed attributes lack the messageDigest")
		}
		if !bytes.Equal(md, se.ContentDigest) {
			return errf(CodeContentMismatch, "the signature is over other content (message digest differs)")
		}
		signedAttrs = se.SignedAttributes
	}
	if err := verifyCMSSignature(cert, sigOID, h, signedAttrs, se.ContentDigest, se.Signature); err != nil {
		return err
	}

	se.SigningTime, se.SigningTimeSource = receivedAt.UTC(), SourceReceived
	if se.Timestamp != nil {
		ts, err := v.verifyTimestamp(se.Timestamp.Token, se.Signature, m.pool)
		if err != nil {
			return err
		}
		*se.Timestamp = *ts
		se.SigningTime, se.SigningTimeSource = ts.Time, SourceTimestamp
	}
	at := se.SigningTime
	if at.Before(cert.NotBefore) {
		return errf(CodeCertNotYetValid, "certificate %s is valid from %s, after the signing time %s",
			serialOf(cert.SerialNumber), cert.NotBefore.UTC().Format(time.RFC3339), at.Format(time.RFC3339))
	}
	if at.After(cert.NotAfter) {
		return errf(CodeCertExpired, "certificate %s expired at %s, before the signing time %s",
			serialOf(cert.SerialNumber), cert.NotAfter.UTC().Format(time.RFC3339), at.Format(time.RFC3339))
	}
	chain, err := v.chain(cert, m.pool, at, x509.ExtKeyUsageAny)
	if err != nil {
		return err
	}
	se.Chain = se.Chain[:0]
	for _, c := range chain {
		se.Chain = append(se.Chain, c.Raw)
	}
	switch usage := usageOf(cert); {
	case purpose == PurposeLogin && usage != UsageAuth:
		return errf(CodeNotAuthCertificate, "login needs an AUTH certificate; this one is %s", usage)
	case purpose != PurposeLogin && usage == UsageAuth:
		return errf(CodeAuthKeyUsedToSign, "an AUTH certificate may log in but not sign a document")
	case purpose != PurposeLogin && usage != UsageSign:
		return errf(CodeKeyUsage, "the certificate's key usage does not allow signing documents")
	}
	return nil
}

// chain builds cert's chain to a trust anchor as of at.
func (v *Verifier) chain(cert *x509.Certificate, pool []*x509.Certificate, at time.Time, eku x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	if isGOSTCert(cert) {
		return v.chainGOST(cert, pool, at, eku)
	}
	inter := v.cfg.Trust.intermediates.Clone()
	for _, c := range pool {
		inter.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots: v.cfg.Trust.roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{eku},
	})
	if err == nil {
		return chains[0], nil
	}
	var ci x509.CertificateInvalidError
	if errors.As(err, &ci) && ci.Reason == x509.Expired {
		return nil, newErr(CodeCertExpired, "a certificate of the chain was not valid at the signing time", err)
	}
	if errors.As(err, &ci) && ci.Reason == x509.IncompatibleUsage {
		return nil, newErr(CodeKeyUsage, "the chain does not allow this key usage", err)
	}
	var ia x509.InsecureAlgorithmError
	if errors.As(err, &ia) {
		return nil, newErr(CodeUnsupportedAlgorithm, "the chain uses an algorithm crypto/x509 refuses", err)
	}
	candidates := append(append(append([]*x509.Certificate{}, pool...), v.cfg.Trust.interList...), v.cfg.Trust.rootList...)
	for _, c := range candidates {
		if bytes.Equal(c.RawSubject, cert.RawIssuer) && checkCertAlgorithms(c) != nil {
			return nil, newErr(CodeUnsupportedAlgorithm, "the issuer uses an algorithm this build cannot verify", err)
		}
	}
	if isSelfSigned(cert) {
		return nil, newErr(CodeCertSelfSigned, "the certificate is self-signed and not a trust anchor", err)
	}
	return nil, newErr(CodeCertUntrusted, "no chain to a trust anchor", err)
}

// signedAttributes returns the DER of signer i's signed attributes (nil when it
// has none) and its messageDigest.
func signedAttributes(p7 *pkcs7.PKCS7, i int) ([]byte, []byte, error) {
	si := p7.Signers[i]
	if len(si.AuthenticatedAttributes) == 0 {
		return nil, nil, nil
	}
	attrs := make([]attr, len(si.AuthenticatedAttributes))
	var md []byte
	for j, a := range si.AuthenticatedAttributes {
		attrs[j] = attr(a)
		if a.Type.Equal(oidMessageDigest) {
			if _, err := asn1.Unmarshal(a.Value.Bytes, &md); err != nil {
				return nil, nil, err
			}
		}
	}
	der, err := marshalAttrSet(attrs)
	return der, md, err
}

func marshalAttrSet(attrs []attr) ([]byte, error) {
	b, err := asn1.Marshal(struct {
		A []attr `asn1:"set"`
	}{attrs})
	if err != nil {
		return nil, err
	}
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(b, &seq); err != nil {
		return nil, err
	}
	return seq.Bytes, nil
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var o asn1.ObjectIdentifier
	for _, part := range bytes.Split([]byte(s), []byte(".")) {
		var n int
		if len(part) == 0 {
			return nil, errf(CodeMalformedCMS, "bad OID %q", s)
		}
		for _, c := range part {
			if c < '0' || c > '9' || n > 1<<28 {
				return nil, errf(CodeMalformedCMS, "bad OID %q", s)
			}
			n = n*10 + int(c-'0')
		}
		o = append(o, n)
	}
	if len(o) < 2 {
		return nil, errf(CodeMalformedCMS, "bad OID %q", s)
	}
	return o, nil
}

func hashName(h crypto.Hash) string {
	if h == 0 {
		return "unknown"
	}
	return h.String()
}
