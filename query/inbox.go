package query

import (
	"time"

	"github.com/google/uuid"
)

// The inbox read model's answers.

// InboxDocument is one inbox entry.
type InboxDocument struct {
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
	Position       int64      `json:"position"`
}

// InboxPage is a page of a party's inbox. Next is the cursor of the following
// page, empty on the last one.
type InboxPage struct {
	Documents []InboxDocument `json:"documents"`
	Next      string          `json:"next_cursor,omitempty"`
}
