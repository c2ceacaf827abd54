package commands

import (
	"time"

	"github.com/google/uuid"

	"docledger/domain/calendar"
	"docledger/domain/party"
)

// The party commands handled by one change of the party (see partyRoutes).

// AddPartyUser adds a person (by IIN) who acts for the party, with a role
// and, for an employee, a power of attorney valid now.
type AddPartyUser struct {
	PartyID         uuid.UUID              `json:"party_id"`
	IIN             string                 `json:"iin"`
	Name            string                 `json:"name"`
	Role            party.Role             `json:"role"`
	OrgUnit         string                 `json:"org_unit,omitempty"`
	PowerOfAttorney *party.PowerOfAttorney `json:"power_of_attorney,omitempty"`
}

// AggregateID is the party's ID.
func (c AddPartyUser) AggregateID() string { return c.PartyID.String() }

// RemovePartyUser records that a user no longer acts for the party.
type RemovePartyUser struct {
	PartyID uuid.UUID `json:"party_id"`
	IIN     string    `json:"iin"`
}

// AggregateID is the party's ID.
func (c RemovePartyUser) AggregateID() string { return c.PartyID.String() }

// OpenOrgUnit opens a head office or branch of a legal entity.
type OpenOrgUnit struct {
	PartyID uuid.UUID         `json:"party_id"`
	UnitID  string            `json:"unit_id"`
	Kind    party.OrgUnitKind `json:"kind"`
	Name    string            `json:"name"`
	BIN     string            `json:"bin,omitempty"`
	Address string            `json:"address,omitempty"`
}

// AggregateID is the party's ID.
func (c OpenOrgUnit) AggregateID() string { return c.PartyID.String() }

// BindCertificate binds an EDS certificate, valid now, to a user of the
// party (or to an individual party itself).
type BindCertificate struct {
	PartyID   uuid.UUID `json:"party_id"`
	UserIIN   string    `json:"user_iin"`
	Serial    string    `json:"serial"`
	Issuer    string    `json:"issuer"`
	KeyUsage  []string  `json:"key_usage"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// AggregateID is the party's ID.
func (c BindCertificate) AggregateID() string { return c.PartyID.String() }

// ChangeRequisites records a change of the party's requisites: the new
// values of what changed (absent: unchanged) and the day the change took
// effect as the party reports it.
type ChangeRequisites struct {
	PartyID   uuid.UUID       `json:"party_id"`
	Names     *party.Names    `json:"names,omitempty"`
	Contacts  *party.Contacts `json:"contacts,omitempty"`
	Resident  *bool           `json:"resident,omitempty"`
	ChangedOn calendar.Date   `json:"changed_on"`
}

// AggregateID is the party's ID.
func (c ChangeRequisites) AggregateID() string { return c.PartyID.String() }

// ReportCompromise records a user's report that an EDS key or password was
// stolen or disclosed; the time it is handled becomes the cut-off after
// which actions under that user's credentials are not the party's by
// default (Atameken 3.6, ISMET 5.5, Center Pro 7.1.3).
type ReportCompromise struct {
	PartyID           uuid.UUID        `json:"party_id"`
	UserIIN           string           `json:"user_iin"`
	Credential        party.Credential `json:"credential"`
	CertificateSerial string           `json:"certificate_serial,omitempty"`
	Statement         string           `json:"statement,omitempty"`
}

// AggregateID is the party's ID.
func (c ReportCompromise) AggregateID() string { return c.PartyID.String() }

// NotifyTermination records a notice of termination of the party's
// contract by the client (ByIIN, with authority) or the operator; it takes
// effect after the notice period of the party's profile.
type NotifyTermination struct {
	PartyID uuid.UUID `json:"party_id"`
	By      string    `json:"by"`
	ByIIN   string    `json:"by_iin,omitempty"`
	Reason  string    `json:"reason"`
}

// AggregateID is the party's ID.
func (c NotifyTermination) AggregateID() string { return c.PartyID.String() }

// AcceptTariff records the tariff accepted with one application for a
// service, where the party's profile asks for it (Atameken 6.4).
type AcceptTariff struct {
	PartyID       uuid.UUID  `json:"party_id"`
	ApplicationID string     `json:"application_id"`
	Service       string     `json:"service"`
	Tariff        string     `json:"tariff"`
	OfferID       string     `json:"offer_id"`
	OfferVersion  int        `json:"offer_version"`
	ByIIN         string     `json:"by_iin,omitempty"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
}

// AggregateID is the party's ID.
func (c AcceptTariff) AggregateID() string { return c.PartyID.String() }

// ObjectToAmendment records the party's objection to an amended offer
// version within its profile's window (idocs 14.3).
type ObjectToAmendment struct {
	PartyID uuid.UUID `json:"party_id"`
	OfferID string    `json:"offer_id"`
	Version int       `json:"version"`
	ByIIN   string    `json:"by_iin"`
}

// AggregateID is the party's ID.
func (c ObjectToAmendment) AggregateID() string { return c.PartyID.String() }
