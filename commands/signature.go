package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/party"
	"docledger/domain/profile"
)

// SignatureVerifier is the port through which the party commands verify an
// EDS signature (a CMS/PKCS #7 SignedData) that a client sent with a
// registration or an acceptance.
//
// Verify checks cms (and content, when the CMS is detached) as received at
// receivedAt and returns who signed, the SHA-256 of the signed content and
// the evidence record to keep in the event. A refused signature is a
// *domain.Error whose code is "signature_" followed by the verifier's
// reason (signature_certificate_revoked, signature_malformed_cms, ...);
// any other error is a failure of the verifier itself.
type SignatureVerifier interface {
	Verify(ctx context.Context, cms, content []byte, receivedAt time.Time) (Signed, error)
}

// Signed is a verified signature.
type Signed struct {
	Signer Signer
	// ContentSHA256 is the lowercase hex SHA-256 of the signed content.
	ContentSHA256 string
	// SigningTime is the time the signature is proven to exist at (a
	// timestamp token's, else the time it was received).
	SigningTime time.Time
	// Evidence is the verifier's evidence record, JSON.
	Evidence json.RawMessage
}

// content is s as the domain's acceptance rules see it; fromRegistration:
// s is the registration's EDS proof.
func (s Signed) content(fromRegistration bool) *party.SignedContent {
	return &party.SignedContent{Signer: s.Signer, ContentSHA256: s.ContentSHA256, Evidence: s.Evidence, FromRegistration: fromRegistration}
}

// Signer is who a verified certificate names: the facts the domain's
// signing rules (party.CheckSigner) decide on.
type Signer = party.Signer

// ErrSignatureUnavailable refuses a command carrying a signature when no
// verifier is configured.
var ErrSignatureUnavailable = domain.NewErrorOf(domain.Unavailable, "signature_verification_unavailable", "no EDS trust anchors are configured (LEDGER_TRUST_DIR); commands carrying a signature are refused")

// SignatureInput is an EDS signature as a command carries it: the CMS in
// base64 and, for a detached CMS, the signed content in base64.
type SignatureInput struct {
	CMS     string `json:"cms"`
	Content string `json:"content,omitempty"`
}

// verify decodes and verifies in, refusing when no verifier is configured.
func verify(ctx context.Context, v SignatureVerifier, in SignatureInput, receivedAt time.Time) (Signed, error) {
	if v == nil {
		return Signed{}, ErrSignatureUnavailable
	}
	cms, err := decode64(in.CMS)
	if err != nil || len(cms) == 0 {
		return Signed{}, domain.ErrValidation.Withf("cms must be base64")
	}
	var content []byte
	if in.Content != "" {
		if content, err = decode64(in.Content); err != nil {
			return Signed{}, domain.ErrValidation.Withf("content must be base64")
		}
	}
	return v.Verify(ctx, cms, content, receivedAt)
}

func decode64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return base64.RawStdEncoding.DecodeString(s)
	}
	return b, nil
}

// ProofInput is a registration proof as a command carries it. An
// eds_signature proof carries the signature itself, which the handler
// verifies and replaces by the verifier's evidence; a client never supplies
// the evidence of a signature. Other proofs (a confirmed phone, a ticked
// box) carry the operator's own evidence, if any. At defaults to the time
// the command is handled (for a signature: its proven signing time).
type ProofInput struct {
	Kind      string          `json:"kind"`
	At        *time.Time      `json:"at,omitempty"`
	Evidence  json.RawMessage `json:"evidence,omitempty"`
	Signature *SignatureInput `json:"signature,omitempty"`
}

// proofs turns the inputs into the domain's proofs, verifying signatures,
// and returns the verified signatures in order.
func proofs(ctx context.Context, v SignatureVerifier, in []ProofInput, now time.Time) ([]party.Proof, []Signed, error) {
	out := make([]party.Proof, 0, len(in))
	var signed []Signed
	for _, p := range in {
		pr := party.Proof{Kind: p.Kind, At: now, Evidence: p.Evidence}
		if p.At != nil {
			if p.At.After(now) {
				return nil, nil, domain.ErrValidation.Withf("proof %s is dated in the future", p.Kind)
			}
			pr.At = p.At.UTC()
		}
		switch {
		case p.Kind == profile.ProofEDS && len(p.Evidence) > 0:
			return nil, nil, domain.ErrValidation.Withf("an eds_signature proof carries its signature, not evidence")
		case p.Kind == profile.ProofEDS && p.Signature == nil:
			return nil, nil, party.ErrProofMissing.Withf("an eds_signature proof needs its signature")
		case p.Kind != profile.ProofEDS && p.Signature != nil:
			return nil, nil, domain.ErrValidation.Withf("only an eds_signature proof carries a signature")
		case p.Kind == profile.ProofEDS:
			s, err := verify(ctx, v, *p.Signature, now)
			if err != nil {
				return nil, nil, err
			}
			pr.At, pr.Evidence = s.SigningTime.UTC(), s.Evidence
			signed = append(signed, s)
		}
		out = append(out, pr)
	}
	return out, signed, nil
}
