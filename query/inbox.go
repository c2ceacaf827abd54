package query

import (
	"time"

	"github.com/google/uuid"
)

// The documents read model's answers (projection inbox).

// Document is a document as the read model knows it: its parties, what it
// is, its status and times, and the version of its stream after the last
// event applied (the ETag a client sends back as If-Match).
type Document struct {
	DocumentID     uuid.UUID  `json:"document_id"`
	RecipientParty string     `json:"recipient_party"`
	SenderParty    string     `json:"sender_party"`
	Title          string     `json:"title"`
	Kind           string     `json:"kind"`
	ContentSHA256  string     `json:"content_sha256"`
	Status         string     `json:"status"`
	RegisteredAt   time.Time  `json:"registered_at"`
	SentAt         *time.Time `json:"sent_at,omitempty"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
	StreamVersion  int64      `json:"stream_version"`
	Position       int64      `json:"position"`
}

// InboxDocument is one entry of an inbox or an outbox.
type InboxDocument = Document

// DocumentPage is a page of a party's inbox or outbox. Next is the cursor of
// the following page, empty on the last one.
type DocumentPage struct {
	Documents []Document `json:"documents"`
	Next      string     `json:"next_cursor,omitempty"`
}

// InboxPage is a page of a party's inbox.
type InboxPage = DocumentPage
