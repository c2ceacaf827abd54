package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain/document"
)

// SendDocument records that the sender transmitted a document.
type SendDocument struct {
	DocumentID uuid.UUID `json:"document_id"`
}

// AggregateID is the document's ID.
func (c SendDocument) AggregateID() string { return c.DocumentID.String() }

// SendDocumentHandler handles SendDocument.
type SendDocumentHandler struct {
	repo *Repository[*document.Document]
}

// NewSendDocumentHandler returns the handler.
func NewSendDocumentHandler(repo *Repository[*document.Document]) (*SendDocumentHandler, error) {
	if repo == nil {
		return nil, errors.New("send document: nil repository")
	}
	return &SendDocumentHandler{repo: repo}, nil
}

// Handle sends the document.
func (h *SendDocumentHandler) Handle(ctx context.Context, meta Meta, cmd *SendDocument) (Result, error) {
	return h.repo.Update(ctx, meta, cmd.AggregateID(), func(d *document.Document, now time.Time) error {
		return d.Send(now)
	})
}
