package commands

import (
	"context"
	"errors"
	"time"

	"docledger/domain/offer"
	"docledger/domain/profile"
)

// PublishOfferVersion publishes the next version of an offer under a
// policy profile ("kezekte" for its latest version, or "kezekte.v1"): the
// SHA-256 of its texts and when it takes effect.
type PublishOfferVersion struct {
	OfferID     string       `json:"offer_id"`
	Profile     string       `json:"profile"`
	Texts       []offer.Text `json:"texts"`
	Prevailing  string       `json:"prevailing,omitempty"`
	EffectiveAt time.Time    `json:"effective_at"`
}

// AggregateID is the offer's ID.
func (c PublishOfferVersion) AggregateID() string { return c.OfferID }

// PublishOfferVersionHandler handles PublishOfferVersion.
type PublishOfferVersionHandler struct{ e *partyEnv }

// NewPublishOfferVersionHandler returns the handler.
func NewPublishOfferVersionHandler(e *partyEnv) (*PublishOfferVersionHandler, error) {
	if e == nil {
		return nil, errors.New("publish offer version: nil dependencies")
	}
	return &PublishOfferVersionHandler{e: e}, nil
}

// Handle publishes the version.
func (h *PublishOfferVersionHandler) Handle(ctx context.Context, meta Meta, cmd *PublishOfferVersion) (Result, error) {
	prof, err := h.e.profileOf(cmd.Profile)
	if err != nil {
		return Result{}, err
	}
	eng := profile.NewEngine(prof, h.e.calendar)
	return h.e.offers.Update(ctx, meta, cmd.AggregateID(), func(o offerStream, now time.Time) error {
		return o.Publish(offer.Publication{Texts: cmd.Texts, Prevailing: cmd.Prevailing, EffectiveAt: cmd.EffectiveAt.UTC()}, eng, now)
	})
}
