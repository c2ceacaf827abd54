package commands

import (
	"time"

	"docledger/domain/offer"
)

// The offer commands handled by one change of the offer (see partyRoutes).

// PublishOfferVersion publishes the next version of an offer under a
// policy profile ("kezekte" for its latest version, or "kezekte.v1"): the
// SHA-256 of its texts and when it takes effect.
type PublishOfferVersion struct {
	OfferID     string       `json:"offer_id"`
	Profile     string       `json:"profile"`
	Texts       []offer.Text `json:"texts"`
	Prevailing  string       `json:"prevailing,omitempty"`
	EffectiveAt time.Time    `json:"effective_at"`
}

// AggregateID is the offer's ID.
func (c PublishOfferVersion) AggregateID() string { return c.OfferID }

// WithdrawOfferVersion withdraws a version of an offer: from then on it
// cannot be accepted; the parties that accepted it stay bound by it.
type WithdrawOfferVersion struct {
	OfferID string `json:"offer_id"`
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

// AggregateID is the offer's ID.
func (c WithdrawOfferVersion) AggregateID() string { return c.OfferID }

// SendAmendmentNotice records a notice of an amended offer version sent by
// a channel its profile names ("site", "email", ...) to "all" or one
// party's stream id.
type SendAmendmentNotice struct {
	OfferID    string `json:"offer_id"`
	Version    int    `json:"version"`
	Channel    string `json:"channel"`
	Recipients string `json:"recipients"`
}

// AggregateID is the offer's ID.
func (c SendAmendmentNotice) AggregateID() string { return c.OfferID }
