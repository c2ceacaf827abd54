package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// AcceptOffer records a party's acceptance of an offer version by one of
// its profile's triggers (first payment, first use, an EDS-signed
// agreement...). Signature is required where the trigger asks for one: a
// CMS whose signed content is a text of the version (any of its languages),
// signed by the party itself or, for a legal entity, by the user ByIIN.
// AcceptedAt is the time of the act when it precedes its recording (a
// payment); it defaults to now, the time the ledger receives the
// acceptance (a contract is concluded when the acceptance is received; the
// signature's own signing time stays in its evidence).
type AcceptOffer struct {
	PartyID    uuid.UUID       `json:"party_id"`
	OfferID    string          `json:"offer_id"`
	Version    int             `json:"version"`
	Trigger    string          `json:"trigger"`
	ByIIN      string          `json:"by_iin,omitempty"`
	Consents   []party.Consent `json:"consents"`
	Signature  *SignatureInput `json:"signature,omitempty"`
	AcceptedAt *time.Time      `json:"accepted_at,omitempty"`
}

// AggregateID is the party's ID.
func (c AcceptOffer) AggregateID() string { return c.PartyID.String() }

// acceptOfferHandler handles AcceptOffer.
type acceptOfferHandler struct{ e *partyEnv }

// newAcceptOfferHandler returns the handler.
func newAcceptOfferHandler(e *partyEnv) (*acceptOfferHandler, error) {
	if e == nil {
		return nil, errors.New("accept offer: nil dependencies")
	}
	return &acceptOfferHandler{e: e}, nil
}

// Handle verifies the signature (once, before the party is loaded: it may
// ask an OCSP responder), reads the offer, and records the acceptance.
func (h *acceptOfferHandler) Handle(ctx context.Context, meta Meta, cmd *AcceptOffer) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	var signed *party.SignedContent
	if cmd.Signature != nil {
		s, err := verify(ctx, h.e.sigs, *cmd.Signature, h.e.clock.Now())
		if err != nil {
			return Result{}, err
		}
		signed = s.content(false)
	}
	o, err := h.e.offers.Load(ctx, cmd.OfferID)
	if err != nil {
		return Result{}, err
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		a := acceptance{offer: o, version: cmd.Version, trigger: cmd.Trigger, byIIN: cmd.ByIIN, consents: cmd.Consents, signed: signed, at: now}
		if cmd.AcceptedAt != nil {
			a.at = cmd.AcceptedAt.UTC()
		}
		if a.at.After(now) {
			return domain.ErrValidation.Withf("accepted_at is in the future")
		}
		return h.e.accept(p, a)
	})
}

// acceptance is an acceptance being decided.
type acceptance struct {
	offer    offerStream
	version  int
	trigger  string
	byIIN    string
	consents []party.Consent
	// signed is the verified signature offered with the acceptance, if any.
	signed *party.SignedContent
	at     time.Time
}

// accept reads the version a accepts and its profile, lets the domain
// decide what a's signature gives it, and records it on p.
func (e *partyEnv) accept(p *party.Party, a acceptance) error {
	if !p.Registered() {
		return party.ErrNotRegistered
	}
	v, err := a.offer.AcceptableVersion(a.version, a.at)
	if err != nil {
		return err
	}
	prof, err := e.profiles.Get(v.Profile)
	if err != nil {
		return err
	}
	acc := party.Acceptance{Trigger: a.trigger, ByIIN: a.byIIN, Consents: a.consents, At: a.at}
	if a.signed != nil {
		if acc, err = p.SignAcceptance(acc, *a.signed, v, prof); err != nil {
			return err
		}
	}
	return p.Accept(acc, v, prof)
}
