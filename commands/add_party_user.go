package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// AddPartyUser adds a person (by IIN) who acts for the party, with a role
// and, for an employee, a power of attorney valid now.
type AddPartyUser struct {
	PartyID         uuid.UUID              `json:"party_id"`
	IIN             string                 `json:"iin"`
	Name            string                 `json:"name"`
	Role            party.Role             `json:"role"`
	OrgUnit         string                 `json:"org_unit,omitempty"`
	PowerOfAttorney *party.PowerOfAttorney `json:"power_of_attorney,omitempty"`
}

// AggregateID is the party's ID.
func (c AddPartyUser) AggregateID() string { return c.PartyID.String() }

// AddPartyUserHandler handles AddPartyUser.
type AddPartyUserHandler struct{ e *partyEnv }

// NewAddPartyUserHandler returns the handler.
func NewAddPartyUserHandler(e *partyEnv) (*AddPartyUserHandler, error) {
	if e == nil {
		return nil, errors.New("add party user: nil dependencies")
	}
	return &AddPartyUserHandler{e: e}, nil
}

// Handle adds the user.
func (h *AddPartyUserHandler) Handle(ctx context.Context, meta Meta, cmd *AddPartyUser) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.AddUser(party.User{IIN: cmd.IIN, Name: cmd.Name, Role: cmd.Role, OrgUnit: cmd.OrgUnit, PowerOfAttorney: cmd.PowerOfAttorney}, now)
	})
}
