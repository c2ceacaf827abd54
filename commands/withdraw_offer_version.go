package commands

import (
	"context"
	"errors"
	"time"
)

// WithdrawOfferVersion withdraws a version of an offer: from then on it
// cannot be accepted; the parties that accepted it stay bound by it.
type WithdrawOfferVersion struct {
	OfferID string `json:"offer_id"`
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// AggregateID is the offer's ID.
func (c WithdrawOfferVersion) AggregateID() string { return c.OfferID }

// WithdrawOfferVersionHandler handles WithdrawOfferVersion.
type WithdrawOfferVersionHandler struct{ e *partyEnv }

// NewWithdrawOfferVersionHandler returns the handler.
func NewWithdrawOfferVersionHandler(e *partyEnv) (*WithdrawOfferVersionHandler, error) {
	if e == nil {
		return nil, errors.New("withdraw offer version: nil dependencies")
	}
	return &WithdrawOfferVersionHandler{e: e}, nil
}

// Handle withdraws the version.
func (h *WithdrawOfferVersionHandler) Handle(ctx context.Context, meta Meta, cmd *WithdrawOfferVersion) (Result, error) {
	return h.e.offers.Update(ctx, meta, cmd.AggregateID(), func(o offerStream, now time.Time) error {
		return o.Withdraw(cmd.Version, cmd.Reason, now)
	})
}
