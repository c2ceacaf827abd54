package document

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"docledger/domain/event"
)

// Event types of the document aggregate.
const (
	TypeRegistered = "document.registered"
	TypeSent       = "document.sent"
	TypeDelivered  = "document.delivered"
)

// Registered records a document entering the ledger: who sends it to whom,
// what kind it is and the SHA-256 of its content (the content itself is kept
// outside the event, so destroying it leaves the proof intact).
type Registered struct {
	DocumentID     uuid.UUID `json:"document_id"`
	SenderParty    string    `json:"sender_party"`
	RecipientParty string    `json:"recipient_party"`
	Kind           Kind      `json:"kind"`
	Title          string    `json:"title"`
	ContentSHA256  string    `json:"content_sha256"`
	RegisteredAt   time.Time `json:"registered_at"`
}

// Sent records that the sender transmitted the document (Law 370-II art. 7).
type Sent struct {
	DocumentID uuid.UUID `json:"document_id"`
	SentAt     time.Time `json:"sent_at"`
}

// Delivered records that the document was recorded in the addressee's system:
// the legal moment of receipt, from which deadlines run.
type Delivered struct {
	DocumentID     uuid.UUID `json:"document_id"`
	RecipientParty string    `json:"recipient_party"`
	DeliveredAt    time.Time `json:"delivered_at"`
}

// EventType names the event.
func (Registered) EventType() string { return TypeRegistered }

// EventType names the event.
func (Sent) EventType() string { return TypeSent }

// EventType names the event.
func (Delivered) EventType() string { return TypeDelivered }

// Register adds the document events to r at their current schema versions,
// with the upcasters of older ones. Composition roots call it.
func Register(r *event.Registry) {
	r.Register(Registered{}, 2)
	r.Upcast(TypeRegistered, 1, upcastRegisteredV1)
	r.Register(Sent{}, 1)
	r.Register(Delivered{}, 1)
}

// upcastRegisteredV1 turns document.registered v1 into v2. Version 1 named
// the parties "from" and "to" and had no kind; documents of that time were
// all arbitrary documents.
func upcastRegisteredV1(data []byte) ([]byte, error) {
	var v1 struct {
		DocumentID    uuid.UUID `json:"document_id"`
		From          string    `json:"from"`
		To            string    `json:"to"`
		Title         string    `json:"title"`
		ContentSHA256 string    `json:"content_sha256"`
		RegisteredAt  time.Time `json:"registered_at"`
	}
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, err
	}
	return json.Marshal(Registered{
		DocumentID:     v1.DocumentID,
		SenderParty:    v1.From,
		RecipientParty: v1.To,
		Kind:           KindArbitrary,
		Title:          v1.Title,
		ContentSHA256:  v1.ContentSHA256,
		RegisteredAt:   v1.RegisteredAt,
	})
}
