package party_test

import (
	"encoding/json"
	"errors"
	"testing"

	"docledger/domain/event"
	"docledger/domain/kzid"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
)

func TestCheckSigner(t *testing.T) {
	const iin, other, bin = "900101300126", "850715400016", "990140000126"
	tests := []struct {
		name   string
		signer party.Signer
		kind   party.Kind
		number string
		by     string
		err    error
	}{
		{"an individual signs itself", party.Signer{IIN: iin}, party.KindIndividual, iin, "", nil},
		{"someone else signs for an individual", party.Signer{IIN: other}, party.KindIndividual, iin, "", party.ErrSignerMismatch},
		{"an individual, named as someone else", party.Signer{IIN: iin}, party.KindIndividual, iin, other, party.ErrSignerMismatch},
		{"a joint entrepreneurship by its BIN", party.Signer{IIN: other, BIN: bin}, party.KindEntrepreneur, bin, "", nil},
		{"a first head registers the entity", party.Signer{IIN: other, BIN: bin, SignsForOrganisation: true}, party.KindLegalEntity, bin, "", nil},
		{"an employee without signing rights registers the entity", party.Signer{IIN: other, BIN: bin}, party.KindLegalEntity, bin, "", party.ErrSignerMismatch},
		{"a named user of the entity signs", party.Signer{IIN: other, BIN: bin}, party.KindLegalEntity, bin, other, nil},
		{"another entity's signer", party.Signer{IIN: other, BIN: "171140001255", SignsForOrganisation: true}, party.KindLegalEntity, bin, "", party.ErrSignerMismatch},
		{"a party whose subject is not bound yet", party.Signer{IIN: iin}, party.KindIndividual, "", "", party.ErrSignerMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := party.CheckSigner(tt.signer, tt.kind, tt.number, tt.by); !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
		})
	}
}

func TestSelfIIN(t *testing.T) {
	tests := []struct {
		name   string
		kind   party.Kind
		number string
		want   string
		err    error
	}{
		{"an individual acts by its IIN", party.KindIndividual, iinSelf, iinSelf, nil},
		{"a self-employed person acts by its IIN", party.KindSelfEmployed, iinSelf, iinSelf, nil},
		{"an entrepreneur acts by its IIN", party.KindEntrepreneur, iinSelf, iinSelf, nil},
		{"a joint entrepreneurship acts through its users", party.KindEntrepreneur, binEntity, "", nil},
		{"a legal entity acts through its users", party.KindLegalEntity, binEntity, "", nil},
		{"a legal entity given an IIN still acts through its users", party.KindLegalEntity, iinSelf, "", nil},
		{"not bound yet", party.KindEntrepreneur, "", "", nil},
		{"a wrong check digit", party.KindIndividual, "900101300123", "", kzid.ErrCheckDigit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := party.SelfIIN(tt.kind, tt.number)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) || got != tt.want {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestSignedAcceptance: given a registered party, when an acceptance
// signed with EDS is made (SignAcceptance, then Accept), then what is
// recorded.
func TestSignedAcceptance(t *testing.T) {
	const text, other = "aa11", "bb22"
	evidence := json.RawMessage(`{"verdict":"valid"}`)
	withText := func(v offer.Version) offer.Version {
		v.Texts = []offer.Text{{Language: "ru", SHA256: "ff00"}, {Language: "kk", SHA256: text}}
		return v
	}
	kezV1 := withText(version("kezekte-agreement", "kezekte", 1, t0))
	idocsV1 := withText(version("idocs-offer", "idocs", 1, t0))
	kezConsents := []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}, {Kind: profile.ConsentSecrets, Given: true}}
	marketing := []party.Consent{{Kind: profile.ConsentMarketing, Given: true}}
	self := party.Signer{IIN: iinSelf}
	accepted := func(v offer.Version, trigger, clause, by string, auth party.Authority, consents []party.Consent, signature json.RawMessage) party.OfferAccepted {
		return party.OfferAccepted{PartyID: partyID, OfferID: v.OfferID, OfferVersion: v.Number, Profile: v.Profile, Trigger: trigger, Clause: clause,
			ByIIN: by, Authority: auth, Consents: consents, Signature: signature, AcceptedAt: t0}
	}
	entity := registered("atameken", "registration", party.KindLegalEntity, binEntity, eds)
	head := party.UserAdded{PartyID: partyID, UserIIN: iinHead, Name: "Head", Role: party.RoleFirstHead, AddedAt: t0}
	ataV1 := withText(version("atameken-offer", "atameken", 1, t0))
	ataConsents := []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}}

	// signed accepts v under prof by trigger with s, as by (may be "").
	signed := func(v offer.Version, prof, trigger, by string, consents []party.Consent, s party.SignedContent) when {
		return func(t *testing.T, e env, p *party.Party) error {
			pr := e.prof(t, prof)
			a, err := p.SignAcceptance(party.Acceptance{Trigger: trigger, ByIIN: by, Consents: consents, At: t0}, s, v, pr)
			if err != nil {
				return err
			}
			return p.Accept(a, v, pr)
		}
	}
	run(t, []tcase{
		{"the party signs a text of the version", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", "", kezConsents, party.SignedContent{Signer: self, ContentSHA256: text, Evidence: evidence}),
			[]event.Payload{accepted(kezV1, "eds_signed", "signature_block", iinSelf, party.Authority{Role: party.RoleSelf}, kezConsents, evidence)}, nil},
		{"the party signs something else", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", "", kezConsents, party.SignedContent{Signer: self, ContentSHA256: other, Evidence: evidence}),
			nil, party.ErrSignedOtherContent},
		{"someone else signs the text for an individual", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", "", kezConsents, party.SignedContent{Signer: party.Signer{IIN: iinOther}, ContentSHA256: text, Evidence: evidence}),
			nil, party.ErrSignerMismatch},
		{"the signer is not who the acceptance names", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", iinOther, kezConsents, party.SignedContent{Signer: self, ContentSHA256: text, Evidence: evidence}),
			nil, party.ErrSignerMismatch},
		// The registration's signature serves as the acceptance's only when it signed a text of the version.
		{"a registration signature over the text", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", iinSelf, kezConsents, party.SignedContent{Signer: self, ContentSHA256: text, Evidence: evidence, FromRegistration: true}),
			[]event.Payload{accepted(kezV1, "eds_signed", "signature_block", iinSelf, party.Authority{Role: party.RoleSelf}, kezConsents, evidence)}, nil},
		{"a registration signature over something else, where the trigger needs none", []event.Payload{registered("idocs", "registration", party.KindIndividual, iinSelf, eds)},
			signed(idocsV1, "idocs", "registration", iinSelf, marketing, party.SignedContent{Signer: self, ContentSHA256: other, Evidence: evidence, FromRegistration: true}),
			[]event.Payload{accepted(idocsV1, "registration", "2.3", iinSelf, party.Authority{Role: party.RoleSelf}, marketing, nil)}, nil},
		{"a registration signature over something else, where the trigger needs one", []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)},
			signed(kezV1, "kezekte", "eds_signed", iinSelf, kezConsents, party.SignedContent{Signer: self, ContentSHA256: other, Evidence: evidence, FromRegistration: true}),
			nil, party.ErrSignedOtherContent},
		// Atameken 12.1: the agreement signed with EDS, for a legal entity by its first head.
		{"a legal entity's first head signs", []event.Payload{entity, head},
			signed(ataV1, "atameken", "eds_signed", "", ataConsents, party.SignedContent{Signer: party.Signer{IIN: iinHead, BIN: binEntity, SignsForOrganisation: true}, ContentSHA256: text, Evidence: evidence}),
			[]event.Payload{accepted(ataV1, "eds_signed", "12.1", iinHead, party.Authority{Role: party.RoleFirstHead}, ataConsents, evidence)}, nil},
		{"another entity's certificate", []event.Payload{entity, head},
			signed(ataV1, "atameken", "eds_signed", "", ataConsents, party.SignedContent{Signer: party.Signer{IIN: iinHead, BIN: "171140001255", SignsForOrganisation: true}, ContentSHA256: text, Evidence: evidence}),
			nil, party.ErrSignerMismatch},
	})
}
