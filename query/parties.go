package query

import (
	"time"

	"github.com/google/uuid"

	"docledger/domain/party"
)

// The parties read model's answers.

// Party is a party as the read model shows it.
type Party struct {
	PartyID                uuid.UUID      `json:"party_id"`
	Kind                   string         `json:"kind"`
	IdentityNumber         string         `json:"identity_number,omitempty"`
	Resident               bool           `json:"resident"`
	Names                  party.Names    `json:"names"`
	Contacts               party.Contacts `json:"contacts"`
	Profile                string         `json:"profile"`
	Stages                 []string       `json:"stages_completed"`
	RegisteredAt           time.Time      `json:"registered_at"`
	TerminationNotifiedAt  *time.Time     `json:"termination_notified_at,omitempty"`
	TerminationEffectiveAt *time.Time     `json:"termination_effective_at,omitempty"`
	OrgUnits               []OrgUnit      `json:"org_units"`
	Users                  []PartyUser    `json:"users"`
	Certificates           []Certificate  `json:"certificates"`
	Position               int64          `json:"position"`
}

// OrgUnit is a head office or branch.
type OrgUnit struct {
	UnitID   string    `json:"unit_id"`
	Kind     string    `json:"kind"`
	Name     string    `json:"name"`
	BIN      string    `json:"bin,omitempty"`
	Address  string    `json:"address,omitempty"`
	OpenedAt time.Time `json:"opened_at"`
}

// PartyUser is a person who acts (or acted) for the party.
type PartyUser struct {
	IIN             string                 `json:"iin"`
	Name            string                 `json:"name"`
	Role            string                 `json:"role"`
	OrgUnit         string                 `json:"org_unit,omitempty"`
	PowerOfAttorney *party.PowerOfAttorney `json:"power_of_attorney,omitempty"`
	AddedAt         time.Time              `json:"added_at"`
	RemovedAt       *time.Time             `json:"removed_at,omitempty"`
	// CompromisedAt is the earliest compromise the user reported: the
	// cut-off after which its actions are not the party's by default.
	CompromisedAt *time.Time `json:"compromised_at,omitempty"`
}

// Certificate is an EDS certificate bound to a user.
type Certificate struct {
	UserIIN   string    `json:"user_iin"`
	Serial    string    `json:"serial"`
	Issuer    string    `json:"issuer"`
	KeyUsage  []string  `json:"key_usage"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	BoundAt   time.Time `json:"bound_at"`
}
