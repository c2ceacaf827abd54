// Package party is the party aggregate: a client of an operator (an
// individual, individual entrepreneur, legal entity or self-employed
// person) identified by IIN or BIN, with its requisites, org units, users
// and their roles and powers of attorney, the certificates bound to them,
// its registration under its operator's policy profile, and its acceptances
// of offer versions.
//
// Acceptance lives here, not in the offer aggregate nor in one of its own:
// the rules that must hold when a party accepts are the party's — the same
// version is not accepted twice, whoever accepts has authority at that
// moment (a first head, or a power of attorney valid then and covering it),
// a user who reported a compromised key or password no longer acts for the
// party, a per-application tariff needs an accepted offer first — and they
// need the party's state in one consistency boundary. The offer aggregate
// answers which version can be accepted when and hands the party that
// Version value; an offer has many parties and no rule across them.
//
// The rules on EDS signers are here too: who may sign for a party
// (CheckSigner: a person with its own IIN; for a legal entity, a certificate
// with its BIN and, unless a user of the party is named, the right to sign
// for it), the IIN a person acts with for itself (SelfIIN), and what a
// signature gives an acceptance (Party.SignAcceptance: it must be over a
// text of the offer version). They decide on plain facts read from a
// verified certificate (Signer); verifying the signature is the caller's.
//
// Every operator-specific rule (registration stages and their proofs,
// acceptance triggers, required consents, tariff consent per application,
// the objection window after an amendment) is read from the policy profile
// passed in, never from the operator's name.
package party

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/event"
	"docledger/domain/profile"
)

// Kind is the legal kind of a party.
type Kind string

// The kinds of party.
const (
	KindIndividual   Kind = "individual"
	KindEntrepreneur Kind = "individual_entrepreneur"
	KindLegalEntity  Kind = "legal_entity"
	KindSelfEmployed Kind = "self_employed"
)

// StreamID is the stream of the party with id.
func StreamID(id uuid.UUID) string { return "party-" + id.String() }

type user struct {
	UserAdded
	removedAt time.Time
}

type acceptance struct {
	offerID string
	version int
}

// Party is the aggregate. Its state is changed only by apply.
type Party struct {
	domain.Root
	id         uuid.UUID
	registered bool
	kind       Kind
	identity   string
	resident   bool
	names      Names
	contacts   Contacts
	profile    profile.Ref
	stages     []string
	units      map[string]OrgUnitOpened
	users      map[string]*user
	// certs holds the bound certificates by issuer and serial.
	certs map[string]CertificateBound
	// cutoffs holds, per IIN, the earliest reported compromise.
	cutoffs     map[string]time.Time
	reports     map[string]bool
	accepted    map[acceptance]OfferAccepted
	acceptances []OfferAccepted
	tariffs     map[string]bool
	objected    map[acceptance]bool
	terminating bool
}

// New returns an empty party with id, ready to load or register.
func New(id uuid.UUID) *Party {
	return &Party{
		id: id, units: map[string]OrgUnitOpened{}, users: map[string]*user{}, certs: map[string]CertificateBound{}, cutoffs: map[string]time.Time{},
		reports: map[string]bool{}, accepted: map[acceptance]OfferAccepted{}, tariffs: map[string]bool{}, objected: map[acceptance]bool{},
	}
}

// StreamID names the party's stream.
func (p *Party) StreamID() string { return StreamID(p.id) }

// Registered reports whether the party is registered (at any stage).
func (p *Party) Registered() bool { return p.registered }

// Kind is the party's kind.
func (p *Party) Kind() Kind { return p.kind }

// IdentityNumber is the bound IIN or BIN ("" before it is bound).
func (p *Party) IdentityNumber() string { return p.identity }

// Profile is the policy profile the party registered under.
func (p *Party) Profile() profile.Ref { return p.profile }

// StagesDone lists the completed registration stages in order.
func (p *Party) StagesDone() []string { return slices.Clone(p.stages) }

// Names are the party's current names.
func (p *Party) Names() Names { return p.names }

// Contacts are the party's current contacts.
func (p *Party) Contacts() Contacts { return p.contacts }

func validKind(k Kind) bool {
	switch k {
	case KindIndividual, KindEntrepreneur, KindLegalEntity, KindSelfEmployed:
		return true
	}
	return false
}

func (p *Party) record(e event.Payload) {
	p.Record(e)
	p.apply(e)
}

// Apply changes state by one stored event.
func (p *Party) Apply(e event.Payload) { p.apply(e) }

func (p *Party) apply(e event.Payload) {
	switch e := e.(type) {
	case Registered:
		p.id, p.registered, p.kind, p.identity, p.resident = e.PartyID, true, e.Kind, e.IdentityNumber, e.Resident
		p.names, p.contacts, p.profile, p.stages = e.Names, e.Contacts, e.Profile, []string{e.Stage}
	case RegistrationStageCompleted:
		p.stages = append(p.stages, e.Stage)
		if e.IdentityNumber != "" {
			p.identity = e.IdentityNumber
		}
	case RequisitesChanged:
		if e.Names != nil {
			p.names = *e.Names
		}
		if e.Contacts != nil {
			p.contacts = *e.Contacts
		}
		if e.Resident != nil {
			p.resident = *e.Resident
		}
	case OrgUnitOpened:
		p.units[e.UnitID] = e
	case UserAdded:
		p.users[e.UserIIN] = &user{UserAdded: e}
	case UserRemoved:
		if u, ok := p.users[e.UserIIN]; ok {
			u.removedAt = e.RemovedAt
		}
	case CertificateBound:
		p.certs[e.Issuer+"|"+e.Serial] = e
	case OfferAccepted:
		p.accepted[acceptance{e.OfferID, e.OfferVersion}] = e
		p.acceptances = append(p.acceptances, e)
	case TariffAccepted:
		p.tariffs[e.ApplicationID] = true
	case AmendmentObjected:
		p.objected[acceptance{e.OfferID, e.OfferVersion}] = true
	case TerminationNotified:
		p.terminating = true
	case CompromiseReported:
		p.reports[reportKey(e.UserIIN, e.Credential, e.CertificateSerial)] = true
		if c, ok := p.cutoffs[e.UserIIN]; !ok || e.ReportedAt.Before(c) {
			p.cutoffs[e.UserIIN] = e.ReportedAt
		}
	}
}
