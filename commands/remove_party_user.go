package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// RemovePartyUser records that a user no longer acts for the party.
type RemovePartyUser struct {
	PartyID uuid.UUID `json:"party_id"`
	IIN     string    `json:"iin"`
}

// AggregateID is the party's ID.
func (c RemovePartyUser) AggregateID() string { return c.PartyID.String() }

// RemovePartyUserHandler handles RemovePartyUser.
type RemovePartyUserHandler struct{ e *partyEnv }

// NewRemovePartyUserHandler returns the handler.
func NewRemovePartyUserHandler(e *partyEnv) (*RemovePartyUserHandler, error) {
	if e == nil {
		return nil, errors.New("remove party user: nil dependencies")
	}
	return &RemovePartyUserHandler{e: e}, nil
}

// Handle removes the user.
func (h *RemovePartyUserHandler) Handle(ctx context.Context, meta Meta, cmd *RemovePartyUser) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.RemoveUser(cmd.IIN, now)
	})
}
