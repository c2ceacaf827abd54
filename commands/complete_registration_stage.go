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

// CompleteRegistrationStage completes the next registration stage of the
// party's profile (ISMET's full registration, which binds the subject by
// EDS). IdentityNumber is given at the stage that binds the subject.
type CompleteRegistrationStage struct {
	PartyID        uuid.UUID    `json:"party_id"`
	Stage          string       `json:"stage"`
	IdentityNumber string       `json:"identity_number,omitempty"`
	Proofs         []ProofInput `json:"proofs"`
}

// AggregateID is the party's ID.
func (c CompleteRegistrationStage) AggregateID() string { return c.PartyID.String() }

// completeRegistrationStageHandler handles CompleteRegistrationStage.
type completeRegistrationStageHandler struct{ e *partyEnv }

// newCompleteRegistrationStageHandler returns the handler.
func newCompleteRegistrationStageHandler(e *partyEnv) (*completeRegistrationStageHandler, error) {
	if e == nil {
		return nil, errors.New("complete registration stage: nil dependencies")
	}
	return &completeRegistrationStageHandler{e: e}, nil
}

// Handle verifies the stage's EDS proofs (the signer must be the subject
// bound) and completes the stage.
func (h *completeRegistrationStageHandler) Handle(ctx context.Context, meta Meta, cmd *CompleteRegistrationStage) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	prs, signed, err := proofs(ctx, h.e.sigs, cmd.Proofs, h.e.clock.Now())
	if err != nil {
		return Result{}, err
	}
	return h.e.updateRegistered(ctx, meta, cmd.AggregateID(), func(p *party.Party, prof *profile.Profile, now time.Time) error {
		number := cmd.IdentityNumber
		if number == "" {
			number = p.IdentityNumber()
		}
		for _, s := range signed {
			if err := party.CheckSigner(s.Signer, p.Kind(), number, ""); err != nil {
				return err
			}
		}
		return p.CompleteStage(cmd.Stage, cmd.IdentityNumber, prs, prof, now)
	})
}
