package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
	"docledger/domain/profile"
)

// AcceptTariff records the tariff accepted with one application for a
// service, where the party's profile asks for it (Atameken 6.4).
type AcceptTariff struct {
	PartyID       uuid.UUID  `json:"party_id"`
	ApplicationID string     `json:"application_id"`
	Service       string     `json:"service"`
	Tariff        string     `json:"tariff"`
	OfferID       string     `json:"offer_id"`
	OfferVersion  int        `json:"offer_version"`
	ByIIN         string     `json:"by_iin,omitempty"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
}

// AggregateID is the party's ID.
func (c AcceptTariff) AggregateID() string { return c.PartyID.String() }

// AcceptTariffHandler handles AcceptTariff.
type AcceptTariffHandler struct{ e *partyEnv }

// NewAcceptTariffHandler returns the handler.
func NewAcceptTariffHandler(e *partyEnv) (*AcceptTariffHandler, error) {
	if e == nil {
		return nil, errors.New("accept tariff: nil dependencies")
	}
	return &AcceptTariffHandler{e: e}, nil
}

// Handle records the tariff consent.
func (h *AcceptTariffHandler) Handle(ctx context.Context, meta Meta, cmd *AcceptTariff) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.updateRegistered(ctx, meta, cmd.AggregateID(), func(p *party.Party, prof *profile.Profile, now time.Time) error {
		at := now
		if cmd.AcceptedAt != nil {
			if at = cmd.AcceptedAt.UTC(); at.After(now) {
				return domain.ErrValidation.Withf("accepted_at is in the future")
			}
		}
		return p.AcceptTariff(party.TariffAcceptance{ApplicationID: cmd.ApplicationID, Service: cmd.Service, Tariff: cmd.Tariff,
			OfferID: cmd.OfferID, OfferVersion: cmd.OfferVersion, ByIIN: cmd.ByIIN, At: at}, prof)
	})
}
