package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// RegisterParty enters a party at the first registration stage of its
// operator's policy profile. Accept, when set, accepts an offer version in
// the same act (idocs and Kezekte accept on registration, ISMET by the box
// ticked at pre-registration): both events are appended together or not at
// all.
type RegisterParty struct {
	PartyID        uuid.UUID               `json:"party_id"`
	Profile        string                  `json:"profile"`
	Kind           party.Kind              `json:"kind"`
	IdentityNumber string                  `json:"identity_number,omitempty"`
	Resident       bool                    `json:"resident"`
	Names          party.Names             `json:"names"`
	Contacts       party.Contacts          `json:"contacts"`
	Proofs         []ProofInput            `json:"proofs"`
	Accept         *RegistrationAcceptance `json:"accept,omitempty"`
}

// RegistrationAcceptance is an acceptance made by registering. Its
// signature, when the trigger needs one, is the registration's EDS proof,
// whose signed content must then be a text of the offer version.
type RegistrationAcceptance struct {
	OfferID  string          `json:"offer_id"`
	Version  int             `json:"version"`
	Trigger  string          `json:"trigger"`
	Consents []party.Consent `json:"consents"`
}

// AggregateID is the party's ID.
func (c RegisterParty) AggregateID() string { return c.PartyID.String() }

// registerPartyHandler handles RegisterParty.
type registerPartyHandler struct{ e *partyEnv }

// newRegisterPartyHandler returns the handler.
func newRegisterPartyHandler(e *partyEnv) (*registerPartyHandler, error) {
	if e == nil {
		return nil, errors.New("register party: nil dependencies")
	}
	return &registerPartyHandler{e: e}, nil
}

// Handle checks the identity number, verifies the EDS proofs (the signer
// must be the subject being registered), then registers the party and, when
// asked, accepts the offer version.
func (h *registerPartyHandler) Handle(ctx context.Context, meta Meta, cmd *RegisterParty) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	prof, err := h.e.profileOf(cmd.Profile)
	if err != nil {
		return Result{}, err
	}
	// The subject's IIN when it registers itself as a person.
	selfIIN, err := party.SelfIIN(cmd.Kind, cmd.IdentityNumber)
	if err != nil {
		return Result{}, err
	}
	prs, signed, err := proofs(ctx, h.e.sigs, cmd.Proofs, h.e.clock.Now())
	if err != nil {
		return Result{}, err
	}
	for _, s := range signed {
		if err := party.CheckSigner(s.Signer, cmd.Kind, cmd.IdentityNumber, ""); err != nil {
			return Result{}, err
		}
	}
	var o offerStream
	if cmd.Accept != nil {
		if o, err = h.e.offers.Load(ctx, cmd.Accept.OfferID); err != nil {
			return Result{}, err
		}
	}
	// A new party: no stream read (Create falls back to a load when it exists).
	return h.e.parties.Create(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		err := p.Register(party.Registration{
			Kind: cmd.Kind, IdentityNumber: cmd.IdentityNumber, Resident: cmd.Resident,
			Names: cmd.Names, Contacts: cmd.Contacts, Proofs: prs,
		}, prof, now)
		if err != nil || cmd.Accept == nil {
			return err
		}
		// The subject registers itself; before it is bound, the registrant.
		a := acceptance{offer: o, version: cmd.Accept.Version, trigger: cmd.Accept.Trigger, consents: cmd.Accept.Consents, at: now, byIIN: selfIIN}
		if len(signed) > 0 {
			a.signed = signed[0].content(true)
		}
		return h.e.accept(p, a)
	})
}
