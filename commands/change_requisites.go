package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/party"
)

// ChangeRequisites records a change of the party's requisites: the new
// values of what changed (absent: unchanged) and the day the change took
// effect as the party reports it.
type ChangeRequisites struct {
	PartyID   uuid.UUID       `json:"party_id"`
	Names     *party.Names    `json:"names,omitempty"`
	Contacts  *party.Contacts `json:"contacts,omitempty"`
	Resident  *bool           `json:"resident,omitempty"`
	ChangedOn calendar.Date   `json:"changed_on"`
}

// AggregateID is the party's ID.
func (c ChangeRequisites) AggregateID() string { return c.PartyID.String() }

// ChangeRequisitesHandler handles ChangeRequisites.
type ChangeRequisitesHandler struct{ e *partyEnv }

// NewChangeRequisitesHandler returns the handler.
func NewChangeRequisitesHandler(e *partyEnv) (*ChangeRequisitesHandler, error) {
	if e == nil {
		return nil, errors.New("change requisites: nil dependencies")
	}
	return &ChangeRequisitesHandler{e: e}, nil
}

// Handle records the change.
func (h *ChangeRequisitesHandler) Handle(ctx context.Context, meta Meta, cmd *ChangeRequisites) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.ChangeRequisites(party.RequisitesChange{Names: cmd.Names, Contacts: cmd.Contacts, Resident: cmd.Resident, ChangedOn: cmd.ChangedOn}, now)
	})
}
