package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain/document"
)

// DeliverDocument records that a document reached the recipient's system.
type DeliverDocument struct {
	DocumentID uuid.UUID `json:"document_id"`
}

// AggregateID is the document's ID.
func (c DeliverDocument) AggregateID() string { return c.DocumentID.String() }

// DeliverDocumentHandler handles DeliverDocument.
type DeliverDocumentHandler struct {
	repo *Repository[*document.Document]
}

// NewDeliverDocumentHandler returns the handler.
func NewDeliverDocumentHandler(repo *Repository[*document.Document]) (*DeliverDocumentHandler, error) {
	if repo == nil {
		return nil, errors.New("deliver document: nil repository")
	}
	return &DeliverDocumentHandler{repo: repo}, nil
}

// Handle delivers the document.
func (h *DeliverDocumentHandler) Handle(ctx context.Context, meta Meta, cmd *DeliverDocument) (Result, error) {
	return h.repo.Update(ctx, meta, cmd.AggregateID(), func(d *document.Document, now time.Time) error {
		return d.Deliver(now)
	})
}
