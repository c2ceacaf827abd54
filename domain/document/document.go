// Package document is the document aggregate: a legally significant document
// exchanged between two parties, from registration to delivery. (The full
// lifecycle of signatures, receipts, responses and annulment builds on it.)
package document

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/event"
)

// Kind is the kind of a document (idocs 1.4).
type Kind string

// Document kinds.
const (
	KindInvoice        Kind = "invoice"
	KindActOfWorks     Kind = "act_of_completed_works"
	KindReconciliation Kind = "reconciliation_act"
	KindWaybill        Kind = "waybill"
	KindContract       Kind = "contract"
	KindAgreement      Kind = "agreement"
	KindLetter         Kind = "letter"
	KindArbitrary      Kind = "arbitrary"
)

var kinds = map[Kind]bool{
	KindInvoice: true, KindActOfWorks: true, KindReconciliation: true, KindWaybill: true,
	KindContract: true, KindAgreement: true, KindLetter: true, KindArbitrary: true,
}

// Status is the document's place in its delivery lifecycle, derived from its events.
type Status string

// Statuses.
const (
	StatusNone       Status = ""
	StatusRegistered Status = "registered"
	StatusSent       Status = "sent"
	StatusDelivered  Status = "delivered"
)

// Errors the document's rules return.
var (
	ErrAlreadyRegistered = domain.NewErrorOf(domain.Conflict, "document_already_registered", "the document is already registered")
	ErrNotRegistered     = domain.NewErrorOf(domain.NotFound, "document_not_found", "no such document")
	ErrAlreadySent       = domain.NewErrorOf(domain.Conflict, "document_already_sent", "the document has already been sent")
	ErrNotSent           = domain.NewErrorOf(domain.Conflict, "document_not_sent", "the document has not been sent")
	ErrAlreadyDelivered  = domain.NewErrorOf(domain.Conflict, "document_already_delivered", "the document has already been delivered")
	ErrUnknownKind       = domain.NewError("document_kind_unknown", "unknown document kind")
	ErrSameParty         = domain.NewError("document_same_party", "sender and recipient must differ")
)

// StreamID is the stream of the document with id.
func StreamID(id uuid.UUID) string { return "document-" + id.String() }

// Document is the aggregate. Its state is changed only by apply.
type Document struct {
	domain.Root
	id        uuid.UUID
	sender    string
	recipient string
	status    Status
}

// New returns an empty document with id, ready to load or register.
func New(id uuid.UUID) *Document { return &Document{id: id} }

// StreamID names the document's stream.
func (d *Document) StreamID() string { return StreamID(d.id) }

// Status is the document's delivery status.
func (d *Document) Status() Status { return d.status }

// Registration is what registering a document needs.
type Registration struct {
	SenderParty    string
	RecipientParty string
	Kind           Kind
	Title          string
	ContentSHA256  string
}

// Register enters the document into the ledger at time now.
func (d *Document) Register(r Registration, now time.Time) error {
	if d.status != StatusNone {
		return ErrAlreadyRegistered
	}
	r.SenderParty, r.RecipientParty, r.Title = strings.TrimSpace(r.SenderParty), strings.TrimSpace(r.RecipientParty), strings.TrimSpace(r.Title)
	switch {
	case d.id == uuid.Nil:
		return domain.ErrValidation.Withf("document_id is required")
	case r.SenderParty == "":
		return domain.ErrValidation.Withf("sender_party is required")
	case r.RecipientParty == "":
		return domain.ErrValidation.Withf("recipient_party is required")
	case r.SenderParty == r.RecipientParty:
		return ErrSameParty
	case r.Title == "":
		return domain.ErrValidation.Withf("title is required")
	case !kinds[r.Kind]:
		return ErrUnknownKind.Withf("%q", r.Kind)
	case !isSHA256Hex(r.ContentSHA256):
		return domain.ErrValidation.Withf("content_sha256 must be 64 lowercase hex digits")
	}
	d.record(Registered{
		DocumentID: d.id, SenderParty: r.SenderParty, RecipientParty: r.RecipientParty,
		Kind: r.Kind, Title: r.Title, ContentSHA256: r.ContentSHA256, RegisteredAt: now,
	})
	return nil
}

// Send records that the sender transmitted the document at now.
func (d *Document) Send(now time.Time) error {
	switch d.status {
	case StatusNone:
		return ErrNotRegistered
	case StatusSent, StatusDelivered:
		return ErrAlreadySent
	}
	d.record(Sent{DocumentID: d.id, SentAt: now})
	return nil
}

// Deliver records that the document reached the recipient's system at now.
func (d *Document) Deliver(now time.Time) error {
	switch d.status {
	case StatusNone:
		return ErrNotRegistered
	case StatusRegistered:
		return ErrNotSent
	case StatusDelivered:
		return ErrAlreadyDelivered
	}
	d.record(Delivered{DocumentID: d.id, RecipientParty: d.recipient, DeliveredAt: now})
	return nil
}

func (d *Document) record(p event.Payload) {
	d.Record(p)
	d.apply(p)
}

// Apply changes state by one stored event.
func (d *Document) Apply(p event.Payload) { d.apply(p) }

func (d *Document) apply(p event.Payload) {
	switch e := p.(type) {
	case Registered:
		d.id, d.sender, d.recipient, d.status = e.DocumentID, e.SenderParty, e.RecipientParty, StatusRegistered
	case Sent:
		d.status = StatusSent
	case Delivered:
		d.status = StatusDelivered
	}
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
