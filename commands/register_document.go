package commands

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"docledger/domain/document"
)

// RegisterDocument enters a document into the ledger.
type RegisterDocument struct {
	DocumentID     uuid.UUID     `json:"document_id"`
	SenderParty    string        `json:"sender_party"`
	RecipientParty string        `json:"recipient_party"`
	Kind           document.Kind `json:"kind"`
	Title          string        `json:"title"`
	ContentSHA256  string        `json:"content_sha256"`
}

// AggregateID is the document's ID.
func (c RegisterDocument) AggregateID() string { return c.DocumentID.String() }

// RegisterDocumentHandler handles RegisterDocument.
type RegisterDocumentHandler struct {
	repo *Repository[*document.Document]
}

// NewRegisterDocumentHandler returns the handler.
func NewRegisterDocumentHandler(repo *Repository[*document.Document]) (*RegisterDocumentHandler, error) {
	if repo == nil {
		return nil, errors.New("register document: nil repository")
	}
	return &RegisterDocumentHandler{repo: repo}, nil
}

// Handle registers the document.
func (h *RegisterDocumentHandler) Handle(ctx context.Context, meta Meta, cmd *RegisterDocument) (Result, error) {
	return h.repo.Create(ctx, meta, cmd.AggregateID(), func(d *document.Document, now time.Time) error {
		return d.Register(document.Registration{
			SenderParty: cmd.SenderParty, RecipientParty: cmd.RecipientParty, Kind: cmd.Kind,
			Title: cmd.Title, ContentSHA256: cmd.ContentSHA256,
		}, now)
	})
}
