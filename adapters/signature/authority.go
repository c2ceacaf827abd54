package signature

import "time"

// PartyKind is the legal form of the party a signature is made for.
type PartyKind string

// The party kinds.
const (
	PartyIndividual   PartyKind = "individual"
	PartyEntrepreneur PartyKind = "entrepreneur" // individual entrepreneur (IE)
	PartySelfEmployed PartyKind = "self_employed"
	PartyLegalEntity  PartyKind = "legal_entity"
)

// Party is who a document is signed for.
type Party struct {
	Kind PartyKind
	// IIN identifies an individual, IE or self-employed party.
	IIN string
	// BIN identifies a legal entity.
	BIN string
}

// DocumentClass is what the authority rules need to know of a document.
type DocumentClass struct {
	// Financial documents (invoices, acts, payment documents) need the
	// "may sign financial documents" role or a power of attorney covering
	// them.
	Financial bool
}

// PowerOfAttorney is a registered power of attorney by which a legal entity
// lets an individual sign for it.
type PowerOfAttorney struct {
	Number       string
	PrincipalBIN string
	AgentIIN     string
	ValidFrom    time.Time
	ValidUntil   time.Time
	// Financial is true when it covers financial documents.
	Financial bool
}

// Authorize decides whether signer may sign a document of class doc for
// party at time at, given an optional registered power of attorney. It is a
// pure function.
//
// Individuals, IEs and self-employed: the signer's IIN must be the party's.
// Legal entities: the signer's BIN must be the party's, and the signer must
// be the first head, or hold "may sign" (RoleMaySign) for a non-financial
// document or "may sign financial" (RoleMaySignFinancial) for a financial
// one, or be the agent of a power of attorney of that BIN valid at at and
// covering the document.
//
// Errors: CodeIINMismatch, CodeBINMismatch, CodeRoleNotAllowed, and
// CodeAuthKeyUsedToSign when the certificate is an AUTH one.
func Authorize(signer Identity, party Party, doc DocumentClass, poa *PowerOfAttorney, at time.Time) error {
	if signer.Usage == UsageAuth {
		return errf(CodeAuthKeyUsedToSign, "an AUTH certificate may not sign a document")
	}
	switch party.Kind {
	case PartyIndividual, PartyEntrepreneur, PartySelfEmployed:
		if signer.IIN == "" || signer.IIN != party.IIN {
			return errf(CodeIINMismatch, "signer IIN %q is not the party's %q", signer.IIN, party.IIN)
		}
		return nil
	case PartyLegalEntity:
	default:
		return errf(CodeRoleNotAllowed, "unknown party kind %q", party.Kind)
	}
	if signer.BIN == "" || signer.BIN != party.BIN {
		return errf(CodeBINMismatch, "signer BIN %q is not the party's %q", signer.BIN, party.BIN)
	}
	if signer.HasRole(RoleFirstHead) {
		return nil
	}
	if doc.Financial && signer.HasRole(RoleMaySignFinancial) {
		return nil
	}
	if !doc.Financial && signer.HasRole(RoleMaySign) {
		return nil
	}
	if poa != nil && signer.IIN != "" && poa.AgentIIN == signer.IIN && poa.PrincipalBIN == party.BIN &&
		!at.Before(poa.ValidFrom) && (poa.ValidUntil.IsZero() || at.Before(poa.ValidUntil)) &&
		(!doc.Financial || poa.Financial) {
		return nil
	}
	if doc.Financial {
		return errf(CodeRoleNotAllowed, "signer is neither first head nor allowed to sign financial documents for BIN %s, and no valid power of attorney covers it", party.BIN)
	}
	return errf(CodeRoleNotAllowed, "signer is neither first head nor allowed to sign for BIN %s, and no valid power of attorney covers it", party.BIN)
}
