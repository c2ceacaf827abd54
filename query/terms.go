package query

import (
	"time"

	"github.com/google/uuid"
)

// The terms read model's answers.

// Term is a party's term under one offer.
type Term struct {
	PartyID        uuid.UUID  `json:"party_id"`
	IdentityNumber string     `json:"identity_number,omitempty"`
	Name           string     `json:"name,omitempty"`
	OfferID        string     `json:"offer_id"`
	Profile        string     `json:"profile"`
	StartedAt      time.Time  `json:"started_at"`
	Years          int        `json:"years"`
	Renews         bool       `json:"renews"`
	Clause         string     `json:"clause"`
	EndsAt         time.Time  `json:"ends_at"`
	TerminatesAt   *time.Time `json:"terminates_at,omitempty"`
}
