package query

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"docledger/domain/offer"
	"docledger/domain/party"
)

// The acceptances read model's answers: acceptance proofs, what applied
// at a time, offer versions.

// Stage is a completed registration stage with its proofs (for an EDS
// signature, the verifier's evidence).
type Stage struct {
	Stage          string        `json:"stage"`
	Profile        string        `json:"profile"`
	IdentityNumber string        `json:"identity_number,omitempty"`
	Proofs         []party.Proof `json:"proofs"`
	CompletedAt    time.Time     `json:"completed_at"`
	Actor          string        `json:"actor"`
	EventID        uuid.UUID     `json:"event_id"`
	Position       int64         `json:"position"`
}

// Acceptance is one acceptance with what proves it.
type Acceptance struct {
	OfferID      string          `json:"offer_id"`
	OfferVersion int             `json:"offer_version"`
	Profile      string          `json:"profile"`
	Texts        []offer.Text    `json:"texts"`
	Prevailing   string          `json:"prevailing"`
	EffectiveAt  time.Time       `json:"effective_at"`
	WithdrawnAt  *time.Time      `json:"withdrawn_at,omitempty"`
	Trigger      string          `json:"trigger"`
	Clause       string          `json:"clause"`
	AcceptedAt   time.Time       `json:"accepted_at"`
	ByIIN        string          `json:"by_iin,omitempty"`
	Authority    party.Authority `json:"authority"`
	Consents     []party.Consent `json:"consents"`
	Signature    json.RawMessage `json:"signature,omitempty"`
	// Actor is who sent the command (the API's X-Ledger-Actor).
	Actor      string    `json:"actor"`
	CommandID  string    `json:"command_id,omitempty"`
	EventID    uuid.UUID `json:"event_id"`
	DataSHA256 string    `json:"data_sha256"`
	Position   int64     `json:"position"`
	RecordedAt time.Time `json:"recorded_at"`
}

// TariffAcceptance is a tariff consent given with one application.
type TariffAcceptance struct {
	ApplicationID string    `json:"application_id"`
	Service       string    `json:"service"`
	Tariff        string    `json:"tariff"`
	OfferID       string    `json:"offer_id"`
	OfferVersion  int       `json:"offer_version"`
	Clause        string    `json:"clause"`
	ByIIN         string    `json:"by_iin,omitempty"`
	AcceptedAt    time.Time `json:"accepted_at"`
	Actor         string    `json:"actor"`
	EventID       uuid.UUID `json:"event_id"`
	Position      int64     `json:"position"`
}

// Objection is an objection to an amended version.
type Objection struct {
	OfferID      string    `json:"offer_id"`
	OfferVersion int       `json:"offer_version"`
	ByIIN        string    `json:"by_iin,omitempty"`
	Clause       string    `json:"clause"`
	WindowEnds   time.Time `json:"window_ends"`
	ObjectedAt   time.Time `json:"objected_at"`
	Actor        string    `json:"actor"`
	EventID      uuid.UUID `json:"event_id"`
	Position     int64     `json:"position"`
}

// Termination is a notice of termination of the contract.
type Termination struct {
	By          string    `json:"by"`
	Reason      string    `json:"reason"`
	NotifiedAt  time.Time `json:"notified_at"`
	EffectiveAt time.Time `json:"effective_at"`
}

// AcceptanceProof is the acceptance proof of a party.
type AcceptanceProof struct {
	PartyID      uuid.UUID          `json:"party_id"`
	Registration []Stage            `json:"registration"`
	Acceptances  []Acceptance       `json:"acceptances"`
	Tariffs      []TariffAcceptance `json:"tariff_acceptances"`
	Objections   []Objection        `json:"objections"`
	Termination  *Termination       `json:"termination,omitempty"`
}

// InForce is what applied to a party at a time.
type InForce struct {
	PartyID uuid.UUID `json:"party_id"`
	At      time.Time `json:"at"`
	Offers  []Applied `json:"offers"`
	// TerminatedAt is set when a termination had taken effect by At: then
	// no offer applies.
	TerminatedAt *time.Time `json:"terminated_at,omitempty"`
}

// Applied is the version of one offer that applied to the party.
type Applied struct {
	OfferID      string       `json:"offer_id"`
	OfferVersion int          `json:"offer_version"`
	Profile      string       `json:"profile"`
	Texts        []offer.Text `json:"texts"`
	EffectiveAt  time.Time    `json:"effective_at"`
	Basis        string       `json:"basis"`
	// Clause is the amendment clause for BasisSilence.
	Clause string `json:"clause,omitempty"`
	// Acceptance is the party's own acceptance the answer rests on: of
	// this version, or of the earlier one the amendment followed.
	Acceptance Acceptance `json:"acceptance"`
}

// OfferVersion is an offer version as the model knows it.
type OfferVersion struct {
	OfferID     string            `json:"offer_id"`
	Version     int               `json:"version"`
	Profile     string            `json:"profile"`
	Texts       []offer.Text      `json:"texts"`
	Prevailing  string            `json:"prevailing"`
	PublishedAt time.Time         `json:"published_at"`
	EffectiveAt time.Time         `json:"effective_at"`
	WithdrawnAt *time.Time        `json:"withdrawn_at,omitempty"`
	Notices     []AmendmentNotice `json:"notices"`
}

// AmendmentNotice is an amendment notice sent about a version.
type AmendmentNotice struct {
	Channel    string    `json:"channel"`
	Recipients string    `json:"recipients"`
	SentAt     time.Time `json:"sent_at"`
}
