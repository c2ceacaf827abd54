package party

import (
	"encoding/json"
	"slices"

	"docledger/domain"
	"docledger/domain/kzid"
	"docledger/domain/offer"
	"docledger/domain/profile"
)

// Signer is who a verified EDS certificate names: the facts the signing
// rules decide on, read from the certificate by whoever verified it.
type Signer struct {
	// IIN is the person's IIN (the certificate subject's SERIALNUMBER).
	IIN string
	// BIN is the organisation's BIN, for an organisation's certificate.
	BIN string
	// SignsForOrganisation: the certificate carries the first head's or the
	// "may sign" role of the organisation BIN.
	SignsForOrganisation bool
}

// Errors of the signing rules.
var (
	ErrSignerMismatch     = domain.NewError("signature_signer_mismatch", "the signature was not made by the party or the person acting for it")
	ErrSignedOtherContent = domain.NewError("signature_content_not_offer_text", "the signed content is not a text of the offer version")
)

// CheckSigner says whether s may sign for a party of kind whose IIN or BIN
// is number, as the person byIIN ("" when any person of the party may): an
// individual, entrepreneur or self-employed person signs with its own IIN
// (a joint entrepreneurship with its BIN); a legal entity's signer carries
// its BIN and, when no user is named, the right to sign for it (a first
// head or "may sign" role). It returns ErrSignerMismatch when s may not.
func CheckSigner(s Signer, kind Kind, number, byIIN string) error {
	if byIIN != "" && s.IIN != byIIN {
		return ErrSignerMismatch.Withf("signed by IIN %q, not %q", s.IIN, byIIN)
	}
	if number == "" {
		return ErrSignerMismatch.Withf("the party's IIN or BIN is not bound yet")
	}
	if kind == KindLegalEntity {
		if s.BIN != number {
			return ErrSignerMismatch.Withf("signed for BIN %q, not %q", s.BIN, number)
		}
		if byIIN == "" && !s.SignsForOrganisation {
			return ErrSignerMismatch.Withf("the certificate gives no right to sign for BIN %s", number)
		}
		return nil
	}
	// An entrepreneur is identified by its IIN, or by a BIN for a joint
	// entrepreneurship.
	if s.IIN != number && s.BIN != number {
		return ErrSignerMismatch.Withf("signed by IIN %q, not %q", s.IIN, number)
	}
	return nil
}

// SelfIIN is the IIN with which a party of kind, identified by number,
// acts for itself: a person's own IIN; "" for a legal entity, for a BIN
// (a joint entrepreneurship acts through its users) and before the subject
// is bound (number is empty). A malformed number is refused with the
// kzid error.
func SelfIIN(kind Kind, number string) (string, error) {
	if number == "" {
		return "", nil
	}
	id, err := kzid.Parse(number)
	if err != nil {
		return "", err
	}
	if id.Kind == kzid.KindIIN && kind != KindLegalEntity {
		return id.Number, nil
	}
	return "", nil
}

// SignedContent is a verified EDS signature offered with an acceptance.
type SignedContent struct {
	Signer Signer
	// ContentSHA256 is the lowercase hex SHA-256 of the signed content.
	ContentSHA256 string
	// Evidence is the verifier's evidence record, JSON.
	Evidence json.RawMessage
	// FromRegistration: the signature is the registration's EDS proof,
	// which is the acceptance's signature only when it signed a text of
	// the version (or when the trigger needs a signature: then it must).
	FromRegistration bool
}

// SignsText reports whether sha256 (lowercase hex) is the SHA-256 of one of
// the texts of v (any of its languages).
func SignsText(v offer.Version, sha256 string) bool {
	return slices.ContainsFunc(v.Texts, func(t offer.Text) bool { return t.SHA256 == sha256 })
}

// SignAcceptance returns a signed by s, for the acceptance of version v
// under prof, the profile v runs under. A signature over a text of v
// becomes a's signature evidence, made by a.ByIIN (the signer's IIN when
// a names no one), who must be a signer CheckSigner allows for the party.
// The registration's signature over something else is left out unless
// a's trigger needs a signature; any other signature over something else
// is refused with ErrSignedOtherContent.
func (p *Party) SignAcceptance(a Acceptance, s SignedContent, v offer.Version, prof *profile.Profile) (Acceptance, error) {
	if !SignsText(v, s.ContentSHA256) {
		if tr, _ := prof.Trigger(a.Trigger); s.FromRegistration && !tr.RequiresSignature {
			return a, nil // the registration's signature was over something else
		}
		return a, ErrSignedOtherContent.Withf("signed content %s; %s version %d has texts %v", s.ContentSHA256, v.OfferID, v.Number, v.Texts)
	}
	if a.ByIIN == "" {
		a.ByIIN = s.Signer.IIN
	}
	if err := CheckSigner(s.Signer, p.kind, p.identity, a.ByIIN); err != nil {
		return a, err
	}
	a.Signature = s.Evidence
	return a, nil
}
