package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// OpenOrgUnit opens a head office or branch of a legal entity.
type OpenOrgUnit struct {
	PartyID uuid.UUID         `json:"party_id"`
	UnitID  string            `json:"unit_id"`
	Kind    party.OrgUnitKind `json:"kind"`
	Name    string            `json:"name"`
	BIN     string            `json:"bin,omitempty"`
	Address string            `json:"address,omitempty"`
}

// AggregateID is the party's ID.
func (c OpenOrgUnit) AggregateID() string { return c.PartyID.String() }

// OpenOrgUnitHandler handles OpenOrgUnit.
type OpenOrgUnitHandler struct{ e *partyEnv }

// NewOpenOrgUnitHandler returns the handler.
func NewOpenOrgUnitHandler(e *partyEnv) (*OpenOrgUnitHandler, error) {
	if e == nil {
		return nil, errors.New("open org unit: nil dependencies")
	}
	return &OpenOrgUnitHandler{e: e}, nil
}

// Handle opens the unit.
func (h *OpenOrgUnitHandler) Handle(ctx context.Context, meta Meta, cmd *OpenOrgUnit) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.OpenOrgUnit(party.OrgUnit{ID: cmd.UnitID, Kind: cmd.Kind, Name: cmd.Name, BIN: cmd.BIN, Address: cmd.Address}, now)
	})
}
