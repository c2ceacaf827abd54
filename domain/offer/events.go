package offer

import (
	"time"

	"docledger/domain/event"
	"docledger/domain/profile"
)

// Event types of the offer aggregate.
const (
	TypeVersionPublished    = "offer.version_published"
	TypeVersionWithdrawn    = "offer.version_withdrawn"
	TypeAmendmentNoticeSent = "offer.amendment_notice_sent"
)

// Text is one language's text of a version, kept outside the ledger and
// proven by its SHA-256 (lowercase hex).
type Text struct {
	Language string `json:"language"`
	SHA256   string `json:"sha256"`
}

// VersionPublished records a new version of the offer: its texts' hashes,
// which language prevails, the profile version it runs under, when it was
// published and when it takes effect.
type VersionPublished struct {
	OfferID     string      `json:"offer_id"`
	Version     int         `json:"version"`
	Profile     profile.Ref `json:"profile"`
	Texts       []Text      `json:"texts"`
	Prevailing  string      `json:"prevailing"`
	PublishedAt time.Time   `json:"published_at"`
	EffectiveAt time.Time   `json:"effective_at"`
}

// VersionWithdrawn records that a version can no longer be accepted.
type VersionWithdrawn struct {
	OfferID     string    `json:"offer_id"`
	Version     int       `json:"version"`
	Reason      string    `json:"reason"`
	WithdrawnAt time.Time `json:"withdrawn_at"`
}

// AmendmentNoticeSent records a notice of an amended version sent to
// clients by a channel ("site", "email", ...). Recipients is "all" or the
// stream id of one party.
type AmendmentNoticeSent struct {
	OfferID    string    `json:"offer_id"`
	Version    int       `json:"version"`
	Channel    string    `json:"channel"`
	Recipients string    `json:"recipients"`
	SentAt     time.Time `json:"sent_at"`
}

// EventType names the event.
func (VersionPublished) EventType() string { return TypeVersionPublished }

// EventType names the event.
func (VersionWithdrawn) EventType() string { return TypeVersionWithdrawn }

// EventType names the event.
func (AmendmentNoticeSent) EventType() string { return TypeAmendmentNoticeSent }

// Register adds the offer events to r at their current schema versions.
// Composition roots call it.
func Register(r *event.Registry) {
	r.Register(VersionPublished{}, 1)
	r.Register(VersionWithdrawn{}, 1)
	r.Register(AmendmentNoticeSent{}, 1)
}
