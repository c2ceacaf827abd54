package signature

import (
	"context"
	"crypto/x509"
	"errors"
	"time"
)

// EvidenceVersion is the schema version of Evidence.
const EvidenceVersion = 1

// Verdict is the outcome of a verification.
type Verdict string

// The verdicts.
const (
	// VerdictValid: every check passed, revocation included.
	VerdictValid Verdict = "valid"
	// VerdictValidUncheckedRevocation: every check passed but revocation
	// could not be or was not checked (offline, or accepted by policy).
	VerdictValidUncheckedRevocation Verdict = "valid_unchecked_revocation"
	// VerdictInvalid: at least one check failed; Reasons say which.
	VerdictInvalid Verdict = "invalid"
)

// SigningTimeSource says where a signing time came from.
type SigningTimeSource string

// The sources of a signing time.
const (
	// SourceTimestamp: the genTime of a verified RFC 3161 timestamp token.
	SourceTimestamp SigningTimeSource = "timestamp"
	// SourceReceived: the time the ledger received the signature.
	SourceReceived SigningTimeSource = "received"
)

// Reason is one refusal, with its stable code. Signer is the signer's index,
// or -1 for the signature as a whole.
type Reason struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Signer  int    `json:"signer"`
}

// Evidence is what proves a signature later: it is JSON-serialisable and is
// what a signature event carries. Byte fields are base64 in JSON.
type Evidence struct {
	Version    int       `json:"version"`
	VerifiedAt time.Time `json:"verified_at"`
	Purpose    Purpose   `json:"purpose"`
	Offline    bool      `json:"offline,omitempty"`
	Detached   bool      `json:"detached"`
	// ContentSHA256 is the hex SHA-256 of the signed content.
	ContentSHA256 string           `json:"content_sha256"`
	Verdict       Verdict          `json:"verdict"`
	Reasons       []Reason         `json:"reasons,omitempty"`
	Signers       []SignerEvidence `json:"signers"`
}

// SignerEvidence is the evidence of one signer.
type SignerEvidence struct {
	Identity Identity `json:"signer"`
	// Chain is the certificate chain in DER, signer first, trust anchor last.
	Chain              [][]byte `json:"chain"`
	DigestAlgorithm    string   `json:"digest_algorithm"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	// ContentDigest is the content's hash under DigestAlgorithm.
	ContentDigest []byte `json:"content_digest"`
	// SignedAttributes is the DER SET of signed attributes the signature
	// covers; empty when the signature is directly over the content.
	SignedAttributes []byte `json:"signed_attributes,omitempty"`
	Signature        []byte `json:"signature"`
	// ClaimedSigningTime is the signer's own signingTime attribute: recorded,
	// never trusted.
	ClaimedSigningTime *time.Time          `json:"claimed_signing_time,omitzero"`
	SigningTime        time.Time           `json:"signing_time"`
	SigningTimeSource  SigningTimeSource   `json:"signing_time_source"`
	Timestamp          *TimestampEvidence  `json:"timestamp,omitempty"`
	Revocation         *RevocationEvidence `json:"revocation,omitempty"`
	// ChainRevocation holds the revocation answers for the intermediate CA
	// certificates, in chain order (Chain[1] first); the anchor is not
	// checked.
	ChainRevocation []RevocationEvidence `json:"chain_revocation,omitempty"`
	// Countersignatures are the RFC 5652 countersignatures on this
	// signer's signature value, each verified as a signer of it.
	Countersignatures []SignerEvidence `json:"countersignatures,omitempty"`
	Verdict           Verdict          `json:"verdict"`
	Reasons           []Reason         `json:"reasons,omitempty"`
}

func reasonOf(err error, signer int) Reason {
	var e *Error
	if errors.As(err, &e) {
		msg := e.Message
		if e.Err != nil {
			msg += ": " + e.Err.Error()
		}
		return Reason{Code: e.Code, Message: msg, Signer: signer}
	}
	return Reason{Code: CodeMalformedCMS, Message: err.Error(), Signer: signer}
}

func (ev *Evidence) refuse(err *Error) (*Evidence, error) {
	ev.Verdict = VerdictInvalid
	ev.Reasons = append(ev.Reasons, reasonOf(err, -1))
	return ev, err
}

// conclude derives the overall verdict from the signers'.
func (ev *Evidence) conclude() (*Evidence, error) {
	ev.Verdict = VerdictValid
	var first error
	for i, s := range ev.Signers {
		switch s.Verdict {
		case VerdictInvalid:
			ev.Verdict = VerdictInvalid
			ev.Reasons = append(ev.Reasons, s.Reasons...)
			if first == nil && len(s.Reasons) > 0 {
				r := s.Reasons[0]
				first = &Error{Code: r.Code, Message: "signer " + itoa(i) + ": " + r.Message}
			}
		case VerdictValidUncheckedRevocation:
			if ev.Verdict == VerdictValid {
				ev.Verdict = VerdictValidUncheckedRevocation
			}
		}
	}
	if len(ev.Signers) == 0 {
		ev.Verdict = VerdictInvalid
		first = errf(CodeNoSigners, "no signers")
	}
	return ev, first
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + itoa(i%10)
}

// Reverify re-checks stored evidence as of each signer's original signing
// time, without the network and without the content (its digest is in the
// evidence): the signature, the timestamp token, the chain to a trust anchor
// of this verifier, the key usage and the stored OCSP answer. The answer
// does not depend on the current time, so a certificate that has since
// expired still verifies. It returns the re-derived evidence and nil when it
// is still valid, or an *Error (CodeEvidenceInvalid for evidence that does
// not parse, otherwise the first refusal).
func (v *Verifier) Reverify(ctx context.Context, stored *Evidence) (*Evidence, error) {
	if stored == nil || len(stored.Signers) == 0 {
		return nil, errf(CodeEvidenceInvalid, "evidence has no signers")
	}
	if stored.Version != EvidenceVersion {
		return nil, errf(CodeEvidenceInvalid, "evidence version %d is not %d", stored.Version, EvidenceVersion)
	}
	ev := &Evidence{Version: EvidenceVersion, VerifiedAt: v.now().UTC(), Purpose: stored.Purpose,
		Offline: stored.Offline, Detached: stored.Detached, ContentSHA256: stored.ContentSHA256}
	for i, old := range stored.Signers {
		se, err := v.reverifySigner(ctx, old, stored.Purpose)
		if err != nil {
			se.Verdict = VerdictInvalid
			se.Reasons = append(se.Reasons, reasonOf(err, i))
		}
		ev.Signers = append(ev.Signers, se)
	}
	return ev.conclude()
}

func (v *Verifier) reverifySigner(ctx context.Context, old SignerEvidence, purpose Purpose) (SignerEvidence, error) {
	se := old
	se.Reasons, se.Verdict = nil, VerdictValid
	if se.Timestamp != nil {
		ts := *se.Timestamp
		se.Timestamp = &ts
	}
	if len(old.Chain) == 0 {
		return se, errf(CodeEvidenceInvalid, "evidence has no certificate")
	}
	var pool []*x509.Certificate
	for _, der := range old.Chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return se, newErr(CodeEvidenceInvalid, "evidence certificate does not parse", err)
		}
		pool = append(pool, c)
	}
	if purpose == "" {
		purpose = PurposeDocument
	}
	if err := v.check(&se, material{cert: pool[0], pool: pool[1:]}, old.SigningTime, purpose); err != nil {
		return se, err
	}
	if old.SigningTimeSource == SourceTimestamp && !se.SigningTime.Equal(old.SigningTime) {
		return se, errf(CodeEvidenceInvalid, "stored signing time differs from the timestamp token")
	}
	if len(pool) < 2 {
		return se, errf(CodeEvidenceInvalid, "evidence chain lacks the issuer")
	}
	unchecked, err := recheckRevocation(old.Revocation, pool[0], pool[1], se.SigningTime)
	if err != nil {
		return se, err
	}
	for i := range old.ChainRevocation {
		if i+2 >= len(pool) {
			return se, errf(CodeEvidenceInvalid, "evidence has more chain revocation records than intermediates")
		}
		u, err := recheckRevocation(&old.ChainRevocation[i], pool[i+1], pool[i+2], se.SigningTime)
		if err != nil {
			return se, err
		}
		unchecked = unchecked || u
	}
	if unchecked {
		se.Verdict = VerdictValidUncheckedRevocation
	}
	se.Countersignatures = nil
	for j, cs := range old.Countersignatures {
		if err := countersignDigestMatches(cs, old.Signature); err != nil {
			return se, err
		}
		got, err := v.reverifySigner(ctx, cs, purpose)
		se.Countersignatures = append(se.Countersignatures, got)
		if err != nil {
			return se, countersignErr(j, err)
		}
	}
	return se, nil
}

// recheckRevocation re-checks a stored revocation record of cert (issued by
// issuer) as of the signing time: a stored OCSP response must still verify
// and say what the record says; a CRL record is taken as recorded. It
// reports whether the record is one of no answer.
func recheckRevocation(rev *RevocationEvidence, cert, issuer *x509.Certificate, at time.Time) (bool, error) {
	if rev == nil {
		return false, errf(CodeEvidenceInvalid, "evidence has no revocation record")
	}
	switch rev.Method {
	case "ocsp":
		resp, err := parseOCSP(rev.OCSPResponse, cert, issuer)
		if err != nil {
			return false, newErr(CodeEvidenceInvalid, "stored OCSP response", err)
		}
		got := ocspEvidence(resp, rev.OCSPResponse)
		if got.Status == StatusRevoked && !got.RevokedAt.After(at) {
			return false, errf(CodeCertRevoked, "stored OCSP answer: revoked at %s", got.RevokedAt.UTC().Format(time.RFC3339))
		}
		if got.Status != rev.Status {
			return false, errf(CodeEvidenceInvalid, "stored OCSP answer says %s, the record %s", got.Status, rev.Status)
		}
	case "crl":
		if rev.Status == StatusRevoked && !rev.RevokedAt.After(at) {
			return false, errf(CodeCertRevoked, "recorded CRL entry: revoked at %s", rev.RevokedAt.UTC().Format(time.RFC3339))
		}
	default:
		return rev.Status != StatusNotCheckable, nil
	}
	return false, nil
}
