package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/party"
)

// BindCertificate binds an EDS certificate, valid now, to a user of the
// party (or to an individual party itself).
type BindCertificate struct {
	PartyID   uuid.UUID `json:"party_id"`
	UserIIN   string    `json:"user_iin"`
	Serial    string    `json:"serial"`
	Issuer    string    `json:"issuer"`
	KeyUsage  []string  `json:"key_usage"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// AggregateID is the party's ID.
func (c BindCertificate) AggregateID() string { return c.PartyID.String() }

// BindCertificateHandler handles BindCertificate.
type BindCertificateHandler struct{ e *partyEnv }

// NewBindCertificateHandler returns the handler.
func NewBindCertificateHandler(e *partyEnv) (*BindCertificateHandler, error) {
	if e == nil {
		return nil, errors.New("bind certificate: nil dependencies")
	}
	return &BindCertificateHandler{e: e}, nil
}

// Handle binds the certificate.
func (h *BindCertificateHandler) Handle(ctx context.Context, meta Meta, cmd *BindCertificate) (Result, error) {
	if cmd.PartyID == uuid.Nil {
		return Result{}, domain.ErrValidation.Withf("party_id is required")
	}
	return h.e.parties.Update(ctx, meta, cmd.AggregateID(), func(p *party.Party, now time.Time) error {
		return p.BindCertificate(party.Certificate{UserIIN: cmd.UserIIN, Serial: cmd.Serial, Issuer: cmd.Issuer,
			KeyUsage: cmd.KeyUsage, NotBefore: cmd.NotBefore, NotAfter: cmd.NotAfter}, now)
	})
}
