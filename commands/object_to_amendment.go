package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
)

// ObjectToAmendment records the party's objection to an amended offer
// version within its profile's window (idocs 14.3).
type ObjectToAmendment struct {
	PartyID uuid.UUID `json:"party_id"`
	OfferID string    `json:"offer_id"`
	Version int       `json:"version"`
	ByIIN   string    `json:"by_iin"`
}

// AggregateID is the party's ID.
func (c ObjectToAmendment) AggregateID() string { return c.PartyID.String() }

// ObjectToAmendmentHandler handles ObjectToAmendment.
type ObjectToAmendmentHandler struct{ e *partyEnv }

// NewObjectToAmendmentHandler returns the handler.
func NewObjectToAmendmentHandler(e *partyEnv) (*ObjectToAmendmentHandler, error) {
	if e == nil {
		return nil, errors.New("object to amendment: nil dependencies")
	}
	return &ObjectToAmendmentHandler{e: e}, nil
}

// Handle reads the amended version and records the objection.
func (h *ObjectToAmendmentHandler) Handle(ctx context.Context, meta Meta, cmd *ObjectToAmendment) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	o, err := h.e.offers.Load(ctx, cmd.OfferID)
	if err != nil {
		return Result{}, err
	}
	v, ok := o.Offer.Version(cmd.Version)
	if !ok {
		return Result{}, offer.ErrVersionUnknown.Withf("%s version %d", cmd.OfferID, cmd.Version)
	}
	prof, err := h.e.profiles.Get(v.Profile)
	if err != nil {
		return Result{}, err
	}
	eng := profile.NewEngine(prof, h.e.calendar)
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.ObjectToAmendment(v, cmd.ByIIN, now, eng)
	})
}
