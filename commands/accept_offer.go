package commands

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/offer"
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

// AcceptOfferHandler handles AcceptOffer.
type AcceptOfferHandler struct{ e *partyEnv }

// NewAcceptOfferHandler returns the handler.
func NewAcceptOfferHandler(e *partyEnv) (*AcceptOfferHandler, error) {
	if e == nil {
		return nil, errors.New("accept offer: nil dependencies")
	}
	return &AcceptOfferHandler{e: e}, nil
}

// Handle verifies the signature (once, before the party is loaded: it may
// ask an OCSP responder), reads the offer, and records the acceptance.
func (h *AcceptOfferHandler) Handle(ctx context.Context, meta Meta, cmd *AcceptOffer) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	var signed *Signed
	if cmd.Signature != nil {
		s, err := verify(ctx, h.e.sigs, *cmd.Signature, h.e.clock.Now())
		if err != nil {
			return Result{}, err
		}
		signed = &s
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
	signed   *Signed
	// fromRegistration: signed is the registration's EDS proof, which is
	// the acceptance's signature only when it signed a text of the version.
	fromRegistration bool
	at               time.Time
}

// accept checks a's version and signature and records it on p.
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
	var evidence []byte
	if s := a.signed; s != nil {
		ofText := slices.ContainsFunc(v.Texts, func(t offer.Text) bool { return t.SHA256 == s.ContentSHA256 })
		tr, _ := prof.Trigger(a.trigger)
		switch {
		case ofText:
		case a.fromRegistration && !tr.RequiresSignature:
			s = nil // the registration's signature was over something else
		default:
			return ErrSignedOtherContent.Withf("signed content %s; %s version %d has texts %v", s.ContentSHA256, v.OfferID, v.Number, v.Texts)
		}
		if s != nil {
			if a.byIIN == "" {
				a.byIIN = s.Signer.IIN
			}
			if err := checkSigner(s.Signer, p.Kind(), p.IdentityNumber(), a.byIIN); err != nil {
				return err
			}
			evidence = s.Evidence
		}
	}
	return p.Accept(party.Acceptance{Trigger: a.trigger, ByIIN: a.byIIN, Consents: a.consents, Signature: evidence, At: a.at}, v, prof)
}
