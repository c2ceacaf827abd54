package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// ReportCompromise records a user's report that an EDS key or password was
// stolen or disclosed; the time it is handled becomes the cut-off after
// which actions under that user's credentials are not the party's by
// default (Atameken 3.6, ISMET 5.5, Center Pro 7.1.3).
type ReportCompromise struct {
	PartyID           uuid.UUID        `json:"party_id"`
	UserIIN           string           `json:"user_iin"`
	Credential        party.Credential `json:"credential"`
	CertificateSerial string           `json:"certificate_serial,omitempty"`
	Statement         string           `json:"statement,omitempty"`
}

// AggregateID is the party's ID.
func (c ReportCompromise) AggregateID() string { return c.PartyID.String() }

// ReportCompromiseHandler handles ReportCompromise.
type ReportCompromiseHandler struct{ e *partyEnv }

// NewReportCompromiseHandler returns the handler.
func NewReportCompromiseHandler(e *partyEnv) (*ReportCompromiseHandler, error) {
	if e == nil {
		return nil, errors.New("report compromise: nil dependencies")
	}
	return &ReportCompromiseHandler{e: e}, nil
}

// Handle records the report.
func (h *ReportCompromiseHandler) Handle(ctx context.Context, meta Meta, cmd *ReportCompromise) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.ReportCompromise(cmd.UserIIN, cmd.Credential, cmd.CertificateSerial, cmd.Statement, now)
	})
}
