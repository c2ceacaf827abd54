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

// NotifyTermination records a notice of termination of the party's
// contract by the client (ByIIN, with authority) or the operator; it takes
// effect after the notice period of the party's profile.
type NotifyTermination struct {
	PartyID uuid.UUID `json:"party_id"`
	By      string    `json:"by"`
	ByIIN   string    `json:"by_iin,omitempty"`
	Reason  string    `json:"reason"`
}

// AggregateID is the party's ID.
func (c NotifyTermination) AggregateID() string { return c.PartyID.String() }

// NotifyTerminationHandler handles NotifyTermination.
type NotifyTerminationHandler struct{ e *partyEnv }

// NewNotifyTerminationHandler returns the handler.
func NewNotifyTerminationHandler(e *partyEnv) (*NotifyTerminationHandler, error) {
	if e == nil {
		return nil, errors.New("notify termination: nil dependencies")
	}
	return &NotifyTerminationHandler{e: e}, nil
}

// Handle records the notice.
func (h *NotifyTerminationHandler) Handle(ctx context.Context, meta Meta, cmd *NotifyTermination) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.updateRegistered(ctx, meta, cmd.AggregateID(), func(p *party.Party, prof *profile.Profile, now time.Time) error {
		return p.NotifyTermination(cmd.By, cmd.ByIIN, cmd.Reason, now, profile.NewEngine(prof, h.e.calendar))
	})
}
