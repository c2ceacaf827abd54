package party

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/profile"
)

// Event types of the party aggregate.
const (
	TypeRegistered            = "party.registered"
	TypeRegistrationStageDone = "party.registration_stage_completed"
	TypeRequisitesChanged     = "party.requisites_changed"
	TypeOrgUnitOpened         = "party.org_unit_opened"
	TypeUserAdded             = "party.user_added"
	TypeUserRemoved           = "party.user_removed"
	TypeCertificateBound      = "party.certificate_bound"
	TypeOfferAccepted         = "party.offer_accepted"
	TypeTariffAccepted        = "party.tariff_accepted"
	TypeAmendmentObjected     = "party.amendment_objected"
	TypeCompromiseReported    = "party.compromise_reported"
	TypeTerminationNotified   = "party.termination_notified"
)

// Names are a party's names.
type Names struct {
	Full  string `json:"full"`
	Short string `json:"short,omitempty"`
}

// Contacts are a party's contacts.
type Contacts struct {
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
}

// Proof is evidence of one registration step: a confirmed phone, a ticked
// box, an EDS signature. Evidence is opaque JSON (for an EDS signature, the
// signature evidence another component verifies).
type Proof struct {
	Kind     string          `json:"kind"`
	At       time.Time       `json:"at"`
	Evidence json.RawMessage `json:"evidence,omitempty"`
}

// Registered records a party entering the ledger at the first registration
// stage of its profile. IdentityNumber is empty when that stage does not
// bind the subject (a pre-registration).
type Registered struct {
	PartyID        uuid.UUID   `json:"party_id"`
	Kind           Kind        `json:"kind"`
	IdentityNumber string      `json:"identity_number,omitempty"`
	Resident       bool        `json:"resident"`
	Names          Names       `json:"names"`
	Contacts       Contacts    `json:"contacts"`
	Profile        profile.Ref `json:"profile"`
	Stage          string      `json:"stage"`
	Proofs         []Proof     `json:"proofs"`
	RegisteredAt   time.Time   `json:"registered_at"`
}

// RegistrationStageCompleted records a later registration stage; when the
// stage binds the subject, IdentityNumber is the IIN or BIN bound.
type RegistrationStageCompleted struct {
	PartyID        uuid.UUID `json:"party_id"`
	Stage          string    `json:"stage"`
	IdentityNumber string    `json:"identity_number,omitempty"`
	Proofs         []Proof   `json:"proofs"`
	CompletedAt    time.Time `json:"completed_at"`
}

// RequisitesChanged records a change of the party's requisites: the new
// values of what changed, the date the change took effect as the party
// reports it, and when the ledger recorded it.
type RequisitesChanged struct {
	PartyID    uuid.UUID     `json:"party_id"`
	Names      *Names        `json:"names,omitempty"`
	Contacts   *Contacts     `json:"contacts,omitempty"`
	Resident   *bool         `json:"resident,omitempty"`
	ChangedOn  calendar.Date `json:"changed_on"`
	RecordedAt time.Time     `json:"recorded_at"`
}

// OrgUnitOpened records a head office or branch of a legal entity, billed
// and blocked on its own.
type OrgUnitOpened struct {
	PartyID  uuid.UUID   `json:"party_id"`
	UnitID   string      `json:"unit_id"`
	Kind     OrgUnitKind `json:"kind"`
	Name     string      `json:"name"`
	BIN      string      `json:"bin,omitempty"`
	Address  string      `json:"address,omitempty"`
	OpenedAt time.Time   `json:"opened_at"`
}

// PowerOfAttorney is an employee's authority to act for the party.
type PowerOfAttorney struct {
	Number string `json:"number"`
	// Scope lists what it allows ("accept_offer", "sign_documents", ...;
	// "all" for everything).
	Scope      []string  `json:"scope"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidUntil time.Time `json:"valid_until"`
}

// UserAdded records a user of the party, by IIN, with a role.
type UserAdded struct {
	PartyID         uuid.UUID        `json:"party_id"`
	UserIIN         string           `json:"user_iin"`
	Name            string           `json:"name"`
	Role            Role             `json:"role"`
	OrgUnit         string           `json:"org_unit,omitempty"`
	PowerOfAttorney *PowerOfAttorney `json:"power_of_attorney,omitempty"`
	AddedAt         time.Time        `json:"added_at"`
}

// UserRemoved records that a user no longer acts for the party.
type UserRemoved struct {
	PartyID   uuid.UUID `json:"party_id"`
	UserIIN   string    `json:"user_iin"`
	RemovedAt time.Time `json:"removed_at"`
}

// CertificateBound records an EDS certificate bound to a user.
type CertificateBound struct {
	PartyID   uuid.UUID `json:"party_id"`
	UserIIN   string    `json:"user_iin"`
	Serial    string    `json:"serial"`
	Issuer    string    `json:"issuer"`
	KeyUsage  []string  `json:"key_usage"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	BoundAt   time.Time `json:"bound_at"`
}

// Consent is one consent given, or refused, with an acceptance.
type Consent struct {
	Kind  string `json:"kind"`
	Given bool   `json:"given"`
}

// Authority is what entitled the person who acted for the party.
type Authority struct {
	// Role is "self" (the party itself), "registrant" (the person
	// registering before the subject is bound), or the user's role.
	Role            Role   `json:"role"`
	PowerOfAttorney string `json:"power_of_attorney,omitempty"`
}

// OfferAccepted records the acceptance of one offer version: by which
// trigger, when, by whom with what authority, the consents given at that
// same moment, and the signature evidence when the acceptance was signed
// (opaque JSON; docledger's signature component verifies it).
type OfferAccepted struct {
	PartyID      uuid.UUID       `json:"party_id"`
	OfferID      string          `json:"offer_id"`
	OfferVersion int             `json:"offer_version"`
	Profile      profile.Ref     `json:"profile"`
	Trigger      string          `json:"trigger"`
	Clause       string          `json:"clause"`
	ByIIN        string          `json:"by_iin,omitempty"`
	Authority    Authority       `json:"authority"`
	Consents     []Consent       `json:"consents"`
	Signature    json.RawMessage `json:"signature,omitempty"`
	AcceptedAt   time.Time       `json:"accepted_at"`
}

// TariffAccepted records the tariff accepted with one application for a
// service, where the profile asks for it.
type TariffAccepted struct {
	PartyID       uuid.UUID `json:"party_id"`
	ApplicationID string    `json:"application_id"`
	Service       string    `json:"service"`
	Tariff        string    `json:"tariff"`
	OfferID       string    `json:"offer_id"`
	OfferVersion  int       `json:"offer_version"`
	Clause        string    `json:"clause"`
	ByIIN         string    `json:"by_iin,omitempty"`
	AcceptedAt    time.Time `json:"accepted_at"`
}

// AmendmentObjected records that the party objected to an amended version
// within the profile's window, which under the operators' texts means it
// terminates the contract rather than accept the change.
type AmendmentObjected struct {
	PartyID      uuid.UUID `json:"party_id"`
	OfferID      string    `json:"offer_id"`
	OfferVersion int       `json:"offer_version"`
	ByIIN        string    `json:"by_iin,omitempty"`
	WindowEnds   time.Time `json:"window_ends"`
	Clause       string    `json:"clause"`
	ObjectedAt   time.Time `json:"objected_at"`
	// Calendar, Provisional and ProvisionalReason say which Kazakhstan
	// calendar computed WindowEnds and whether its answer was provisional
	// (see profile.Due); empty when no working day was needed.
	Calendar          string `json:"calendar,omitempty"`
	Provisional       bool   `json:"provisional,omitempty"`
	ProvisionalReason string `json:"provisional_reason,omitempty"`
}

// CompromiseReported records a user's report that a key or password was
// stolen or disclosed. ReportedAt is the cut-off: actions under that
// user's credentials from then on are no longer attributed to the party
// without more evidence.
type CompromiseReported struct {
	PartyID           uuid.UUID  `json:"party_id"`
	UserIIN           string     `json:"user_iin"`
	Credential        Credential `json:"credential"`
	CertificateSerial string     `json:"certificate_serial,omitempty"`
	Statement         string     `json:"statement,omitempty"`
	ReportedAt        time.Time  `json:"reported_at"`
}

// TerminationNotified records a notice of termination of the contract,
// given by the client or the operator, and when the termination takes
// effect under the profile (the notice period of termination_by_client or
// termination_by_operator; at once when the profile has none).
type TerminationNotified struct {
	PartyID     uuid.UUID `json:"party_id"`
	By          string    `json:"by"`
	ByIIN       string    `json:"by_iin,omitempty"`
	Reason      string    `json:"reason"`
	Clause      string    `json:"clause,omitempty"`
	NotifiedAt  time.Time `json:"notified_at"`
	EffectiveAt time.Time `json:"effective_at"`
	// Calendar, Provisional and ProvisionalReason say which Kazakhstan
	// calendar computed EffectiveAt and whether its answer was provisional
	// (see profile.Due); empty when no working day was needed.
	Calendar          string `json:"calendar,omitempty"`
	Provisional       bool   `json:"provisional,omitempty"`
	ProvisionalReason string `json:"provisional_reason,omitempty"`
}

// EventType names the event.
func (TerminationNotified) EventType() string { return TypeTerminationNotified }

// EventType names the event.
func (Registered) EventType() string { return TypeRegistered }

// EventType names the event.
func (RegistrationStageCompleted) EventType() string { return TypeRegistrationStageDone }

// EventType names the event.
func (RequisitesChanged) EventType() string { return TypeRequisitesChanged }

// EventType names the event.
func (OrgUnitOpened) EventType() string { return TypeOrgUnitOpened }

// EventType names the event.
func (UserAdded) EventType() string { return TypeUserAdded }

// EventType names the event.
func (UserRemoved) EventType() string { return TypeUserRemoved }

// EventType names the event.
func (CertificateBound) EventType() string { return TypeCertificateBound }

// EventType names the event.
func (OfferAccepted) EventType() string { return TypeOfferAccepted }

// EventType names the event.
func (TariffAccepted) EventType() string { return TypeTariffAccepted }

// EventType names the event.
func (AmendmentObjected) EventType() string { return TypeAmendmentObjected }

// EventType names the event.
func (CompromiseReported) EventType() string { return TypeCompromiseReported }

// Register adds the party events to r at their current schema versions.
// Composition roots call it.
func Register(r *event.Registry) {
	r.Register(Registered{}, 1)
	r.Register(RegistrationStageCompleted{}, 1)
	r.Register(RequisitesChanged{}, 1)
	r.Register(OrgUnitOpened{}, 1)
	r.Register(UserAdded{}, 1)
	r.Register(UserRemoved{}, 1)
	r.Register(CertificateBound{}, 1)
	r.Register(OfferAccepted{}, 1)
	r.Register(TariffAccepted{}, 1)
	r.Register(AmendmentObjected{}, 1)
	r.Register(CompromiseReported{}, 1)
	r.Register(TerminationNotified{}, 1)
}
