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
// Every operator-specific rule (registration stages and their proofs,
// acceptance triggers, required consents, tariff consent per application,
// the objection window after an amendment) is read from the policy profile
// passed in, never from the operator's name.
package party

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/kzid"
	"docledger/domain/offer"
	"docledger/domain/profile"
)

// Kind is the legal kind of a party.
type Kind string

// Party kinds.
const (
	KindIndividual   Kind = "individual"
	KindEntrepreneur Kind = "individual_entrepreneur"
	KindLegalEntity  Kind = "legal_entity"
	KindSelfEmployed Kind = "self_employed"
)

// Role is what a person may do for a party.
type Role string

// Roles of users, and of who acted in an Authority.
const (
	// RoleFirstHead has the right of first signature.
	RoleFirstHead Role = "first_head"
	// RoleEmployee acts under a power of attorney.
	RoleEmployee Role = "employee"
	// RoleAdministrator administers the party's account; acting for the
	// party in law also needs a power of attorney.
	RoleAdministrator Role = "administrator"
	// RoleSelf is the person who is the party.
	RoleSelf Role = "self"
	// RoleRegistrant is the unidentified person registering before the
	// party's subject is bound (a pre-registration).
	RoleRegistrant Role = "registrant"
)

// OrgUnitKind is a head office or a branch.
type OrgUnitKind string

// Org unit kinds.
const (
	UnitHeadOffice OrgUnitKind = "head_office"
	UnitBranch     OrgUnitKind = "branch"
)

// Credential is what a compromise report is about.
type Credential string

// Credentials.
const (
	CredentialEDSKey   Credential = "eds_key"
	CredentialPassword Credential = "password"
)

// Power-of-attorney scopes the party's own rules check.
const (
	ScopeAcceptOffer = "accept_offer"
	ScopeAll         = "all"
)

// Errors the party's rules return.
var (
	ErrAlreadyRegistered         = domain.NewError("party_already_registered", "the party is already registered")
	ErrNotRegistered             = domain.NewError("party_not_found", "no such party")
	ErrUnknownKind               = domain.NewError("party_kind_unknown", "unknown party kind")
	ErrIdentityKind              = domain.NewError("party_identity_kind", "the IIN or BIN does not fit the party's kind")
	ErrProofMissing              = domain.NewError("party_proof_missing", "a proof the registration stage requires is missing")
	ErrStageOrder                = domain.NewError("party_stage_order", "registration stages must be completed in order, once")
	ErrRegistrationIncomplete    = domain.NewError("party_registration_incomplete", "the registration stage this requires is not completed")
	ErrProfileMismatch           = domain.NewError("party_profile_mismatch", "the policy profile does not fit the party or the offer version")
	ErrUnchanged                 = domain.NewError("party_unchanged", "the change changes nothing")
	ErrNotLegalEntity            = domain.NewError("party_not_legal_entity", "only a legal entity has org units")
	ErrOrgUnitExists             = domain.NewError("party_org_unit_exists", "the org unit already exists")
	ErrOrgUnitUnknown            = domain.NewError("party_org_unit_unknown", "no such org unit")
	ErrUserExists                = domain.NewError("party_user_exists", "the user already acts for the party")
	ErrUserUnknown               = domain.NewError("party_user_unknown", "no such user of the party")
	ErrPowerOfAttorneyRequired   = domain.NewError("party_poa_required", "the role needs a power of attorney")
	ErrPowerOfAttorneyExpired    = domain.NewError("party_poa_expired", "the power of attorney has expired")
	ErrPowerOfAttorneyNotYet     = domain.NewError("party_poa_not_yet_valid", "the power of attorney is not valid yet")
	ErrPowerOfAttorneyScope      = domain.NewError("party_poa_scope", "the power of attorney does not cover this")
	ErrNoAuthority               = domain.NewError("party_no_authority", "the person has no authority to act for the party")
	ErrCredentialCompromised     = domain.NewError("party_credential_compromised", "the user reported a compromise before this time")
	ErrAlreadyReported           = domain.NewError("party_compromise_already_reported", "this compromise is already reported")
	ErrCertificateExists         = domain.NewError("party_certificate_exists", "the certificate is already bound")
	ErrCertificateExpired        = domain.NewError("party_certificate_expired", "the certificate is not valid now")
	ErrTriggerNotInProfile       = domain.NewError("party_trigger_not_in_profile", "the profile does not accept the offer by this trigger")
	ErrSignatureRequired         = domain.NewError("party_signature_required", "this acceptance must carry EDS signature evidence")
	ErrConsentMissing            = domain.NewError("party_consent_missing", "a consent the profile requires with acceptance is missing")
	ErrConsentUnknown            = domain.NewError("party_consent_unknown", "the profile knows no such consent")
	ErrAlreadyAccepted           = domain.NewError("party_already_accepted", "the party already accepted this")
	ErrNotAccepted               = domain.NewError("party_offer_not_accepted", "the party has not accepted the offer")
	ErrTariffConsentNotInProfile = domain.NewError("party_tariff_consent_not_in_profile", "the profile asks for no tariff consent per application")
	ErrNoObjectionWindow         = domain.NewError("party_no_objection_window", "the profile gives no window to object to an amendment")
	ErrObjectionWindowClosed     = domain.NewError("party_objection_window_closed", "the window to object to the amendment has closed")
	ErrAlreadyObjected           = domain.NewError("party_already_objected", "the party already objected to this version")
	ErrAlreadyTerminating        = domain.NewError("party_already_terminating", "a termination of the contract is already notified")
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

// Names and Contacts are the current requisites.
func (p *Party) Names() Names { return p.names }

// Contacts are the current contacts.
func (p *Party) Contacts() Contacts { return p.contacts }

// Accepted reports whether the party accepted version of offerID.
func (p *Party) Accepted(offerID string, version int) bool {
	_, ok := p.accepted[acceptance{offerID, version}]
	return ok
}

// Acceptances lists the party's acceptances in order.
func (p *Party) Acceptances() []OfferAccepted { return slices.Clone(p.acceptances) }

// CompromiseCutoff is the earliest compromise reported for iin.
func (p *Party) CompromiseCutoff(iin string) (time.Time, bool) {
	t, ok := p.cutoffs[iin]
	return t, ok
}

// Certificates lists the certificates bound to iin.
func (p *Party) Certificates(iin string) []CertificateBound {
	var out []CertificateBound
	for _, c := range p.certs {
		if c.UserIIN == iin {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b CertificateBound) int { return a.BoundAt.Compare(b.BoundAt) })
	return out
}

// Attributable reports whether an action under iin's credentials at t is
// attributed to the party by default: it is unless the user reported a
// compromise at or before t (Atameken 3.6, ISMET 5.5, Center Pro 7.1.3).
func (p *Party) Attributable(iin string, t time.Time) bool {
	c, ok := p.cutoffs[iin]
	return !ok || t.Before(c)
}

// Registration is what registering a party needs.
type Registration struct {
	Kind Kind
	// IdentityNumber is the IIN or BIN; it is given only at the stage that
	// binds the subject.
	IdentityNumber string
	Resident       bool
	Names          Names
	Contacts       Contacts
	Proofs         []Proof
}

// Register enters the party at the first registration stage of profile
// prof, at now, with the proofs that stage requires.
func (p *Party) Register(r Registration, prof *profile.Profile, now time.Time) error {
	if p.registered {
		return ErrAlreadyRegistered
	}
	r.Names.Full, r.Names.Short = strings.TrimSpace(r.Names.Full), strings.TrimSpace(r.Names.Short)
	switch {
	case p.id == uuid.Nil:
		return domain.ErrValidation.Withf("party_id is required")
	case !validKind(r.Kind):
		return ErrUnknownKind.Withf("%q", r.Kind)
	case r.Names.Full == "":
		return domain.ErrValidation.Withf("names.full is required")
	}
	if len(prof.Registration.Stages) == 0 {
		return ErrProfileMismatch.Withf("profile %s has no registration stages", prof.Ref())
	}
	stage := prof.Registration.Stages[0]
	if err := checkProofs(stage, r.Proofs, r.Contacts); err != nil {
		return err
	}
	if err := checkIdentity(stage, r.Kind, r.IdentityNumber); err != nil {
		return err
	}
	p.record(Registered{
		PartyID: p.id, Kind: r.Kind, IdentityNumber: r.IdentityNumber, Resident: r.Resident, Names: r.Names,
		Contacts: r.Contacts, Profile: prof.Ref(), Stage: stage.Name, Proofs: r.Proofs, RegisteredAt: now,
	})
	return nil
}

// CompleteStage completes the next registration stage of the party's
// profile. identityNumber is the IIN or BIN when the stage binds the
// subject, else empty.
func (p *Party) CompleteStage(stageName, identityNumber string, proofs []Proof, prof *profile.Profile, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("party under %s, profile %s", p.profile, prof.Ref())
	}
	stage, i, ok := prof.Stage(stageName)
	if !ok || i != len(p.stages) {
		return ErrStageOrder.Withf("%q after %v", stageName, p.stages)
	}
	if err := checkProofs(stage, proofs, p.contacts); err != nil {
		return err
	}
	if err := checkIdentity(stage, p.kind, identityNumber); err != nil {
		return err
	}
	p.record(RegistrationStageCompleted{PartyID: p.id, Stage: stage.Name, IdentityNumber: identityNumber, Proofs: proofs, CompletedAt: now})
	return nil
}

func checkProofs(stage profile.Stage, proofs []Proof, c Contacts) error {
	have := map[string]bool{}
	for _, pr := range proofs {
		switch {
		case pr.At.IsZero():
			return domain.ErrValidation.Withf("proof %s has no time", pr.Kind)
		case len(pr.Evidence) > 0 && !json.Valid(pr.Evidence):
			return domain.ErrValidation.Withf("proof %s: evidence is not JSON", pr.Kind)
		case pr.Kind == profile.ProofEDS && len(pr.Evidence) == 0:
			return ErrProofMissing.Withf("an eds_signature proof needs its signature evidence (clause %s)", stage.Clause)
		}
		have[pr.Kind] = true
	}
	for _, req := range stage.Requires {
		if !have[req] {
			return ErrProofMissing.Withf("%s at stage %s (clause %s)", req, stage.Name, stage.Clause)
		}
	}
	if have[profile.ProofPhone] && strings.TrimSpace(c.Phone) == "" {
		return domain.ErrValidation.Withf("a confirmed phone needs contacts.phone")
	}
	if have[profile.ProofEmail] && strings.TrimSpace(c.Email) == "" {
		return domain.ErrValidation.Withf("a confirmed e-mail needs contacts.email")
	}
	return nil
}

func checkIdentity(stage profile.Stage, k Kind, number string) error {
	if !stage.BindsSubject {
		if number != "" {
			return domain.ErrValidation.Withf("the IIN or BIN is bound at a later stage than %s", stage.Name)
		}
		return nil
	}
	id, err := kzid.Parse(number)
	if err != nil {
		return err
	}
	switch {
	case k == KindLegalEntity && id.Kind != kzid.KindBIN,
		(k == KindIndividual || k == KindSelfEmployed) && id.Kind != kzid.KindIIN,
		k == KindEntrepreneur && id.Kind == kzid.KindBIN && id.EntityType != kzid.EntityJointIE:
		return ErrIdentityKind.Withf("%s %s for a %s", id.Kind, number, k)
	}
	return nil
}

// RequisitesChange is a change of requisites: the new values of what
// changed (nil: unchanged) and the day the change took effect.
type RequisitesChange struct {
	Names     *Names
	Contacts  *Contacts
	Resident  *bool
	ChangedOn calendar.Date
}

// ChangeRequisites records a change of requisites at now. Only the parts
// that differ are recorded; a change that changes nothing is refused.
func (p *Party) ChangeRequisites(c RequisitesChange, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if c.ChangedOn == (calendar.Date{}) {
		return domain.ErrValidation.Withf("changed_on is required")
	}
	e := RequisitesChanged{PartyID: p.id, ChangedOn: c.ChangedOn, RecordedAt: now}
	if c.Names != nil && *c.Names != p.names {
		if strings.TrimSpace(c.Names.Full) == "" {
			return domain.ErrValidation.Withf("names.full is required")
		}
		n := *c.Names
		e.Names = &n
	}
	if c.Contacts != nil && *c.Contacts != p.contacts {
		x := *c.Contacts
		e.Contacts = &x
	}
	if c.Resident != nil && *c.Resident != p.resident {
		r := *c.Resident
		e.Resident = &r
	}
	if e.Names == nil && e.Contacts == nil && e.Resident == nil {
		return ErrUnchanged
	}
	p.record(e)
	return nil
}

// OrgUnit is what opening an org unit needs.
type OrgUnit struct {
	ID      string
	Kind    OrgUnitKind
	Name    string
	BIN     string
	Address string
}

// OpenOrgUnit opens a head office or branch of a legal entity at now.
func (p *Party) OpenOrgUnit(u OrgUnit, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if p.kind != KindLegalEntity {
		return ErrNotLegalEntity
	}
	u.ID, u.Name = strings.TrimSpace(u.ID), strings.TrimSpace(u.Name)
	switch {
	case u.ID == "" || u.Name == "":
		return domain.ErrValidation.Withf("unit id and name are required")
	case u.Kind != UnitHeadOffice && u.Kind != UnitBranch:
		return domain.ErrValidation.Withf("unit kind %q", u.Kind)
	}
	if _, ok := p.units[u.ID]; ok {
		return ErrOrgUnitExists.Withf("%s", u.ID)
	}
	if u.Kind == UnitHeadOffice {
		for _, x := range p.units {
			if x.Kind == UnitHeadOffice {
				return ErrOrgUnitExists.Withf("a head office already exists: %s", x.UnitID)
			}
		}
	}
	if u.BIN != "" {
		id, err := kzid.Parse(u.BIN)
		if err != nil {
			return err
		}
		if id.Kind != kzid.KindBIN || (u.Kind == UnitBranch) != (id.Division == kzid.DivisionBranch || id.Division == kzid.DivisionRepresentative) {
			return ErrIdentityKind.Withf("BIN %s (%s) for a %s", u.BIN, id.Division, u.Kind)
		}
	}
	p.record(OrgUnitOpened{PartyID: p.id, UnitID: u.ID, Kind: u.Kind, Name: u.Name, BIN: u.BIN, Address: u.Address, OpenedAt: now})
	return nil
}

// User is what adding a user needs.
type User struct {
	IIN             string
	Name            string
	Role            Role
	OrgUnit         string
	PowerOfAttorney *PowerOfAttorney
}

// AddUser adds a user who acts for the party, at now. An employee needs a
// power of attorney valid now; a first head needs none.
func (p *Party) AddUser(u User, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	id, err := kzid.Parse(u.IIN)
	if err != nil {
		return err
	}
	if id.Kind != kzid.KindIIN {
		return ErrIdentityKind.Withf("a user is a person: %s is a BIN", u.IIN)
	}
	if x, ok := p.users[u.IIN]; ok && x.removedAt.IsZero() {
		return ErrUserExists.Withf("%s", u.IIN)
	}
	if strings.TrimSpace(u.Name) == "" {
		return domain.ErrValidation.Withf("user name is required")
	}
	if u.OrgUnit != "" {
		if _, ok := p.units[u.OrgUnit]; !ok {
			return ErrOrgUnitUnknown.Withf("%s", u.OrgUnit)
		}
	}
	switch u.Role {
	case RoleFirstHead:
		if u.PowerOfAttorney != nil {
			return domain.ErrValidation.Withf("a first head acts without a power of attorney")
		}
	case RoleEmployee, RoleAdministrator:
		if u.Role == RoleEmployee && u.PowerOfAttorney == nil {
			return ErrPowerOfAttorneyRequired
		}
	default:
		return domain.ErrValidation.Withf("role %q", u.Role)
	}
	if a := u.PowerOfAttorney; a != nil {
		switch {
		case strings.TrimSpace(a.Number) == "" || len(a.Scope) == 0:
			return domain.ErrValidation.Withf("a power of attorney needs a number and a scope")
		case !a.ValidUntil.After(a.ValidFrom):
			return domain.ErrValidation.Withf("a power of attorney must end after it begins")
		case !now.Before(a.ValidUntil):
			return ErrPowerOfAttorneyExpired.Withf("%s expired at %s", a.Number, a.ValidUntil.Format(time.RFC3339))
		}
		c := *a
		c.Scope = slices.Clone(a.Scope)
		u.PowerOfAttorney = &c
	}
	p.record(UserAdded{PartyID: p.id, UserIIN: u.IIN, Name: strings.TrimSpace(u.Name), Role: u.Role, OrgUnit: u.OrgUnit, PowerOfAttorney: u.PowerOfAttorney, AddedAt: now})
	return nil
}

// RemoveUser records that the user stops acting for the party at now.
func (p *Party) RemoveUser(iin string, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	u, ok := p.users[iin]
	if !ok || !u.removedAt.IsZero() {
		return ErrUserUnknown.Withf("%s", iin)
	}
	p.record(UserRemoved{PartyID: p.id, UserIIN: iin, RemovedAt: now})
	return nil
}

// Certificate is what binding a certificate needs.
type Certificate struct {
	UserIIN   string
	Serial    string
	Issuer    string
	KeyUsage  []string // "auth", "sign"
	NotBefore time.Time
	NotAfter  time.Time
}

// BindCertificate binds an EDS certificate, valid now, to a user at now.
func (p *Party) BindCertificate(c Certificate, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	u, ok := p.users[c.UserIIN]
	if (!ok || !u.removedAt.IsZero()) && !(c.UserIIN == p.identity && p.kind != KindLegalEntity) {
		return ErrUserUnknown.Withf("%s", c.UserIIN)
	}
	c.Serial, c.Issuer = strings.TrimSpace(c.Serial), strings.TrimSpace(c.Issuer)
	switch {
	case c.Serial == "" || c.Issuer == "":
		return domain.ErrValidation.Withf("serial and issuer are required")
	case len(c.KeyUsage) == 0:
		return domain.ErrValidation.Withf("key usage is required")
	case !c.NotAfter.After(c.NotBefore):
		return domain.ErrValidation.Withf("not_after must be after not_before")
	case now.Before(c.NotBefore) || !now.Before(c.NotAfter):
		return ErrCertificateExpired.Withf("%s valid %s to %s", c.Serial, c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339))
	}
	for _, k := range c.KeyUsage {
		if k != "auth" && k != "sign" {
			return domain.ErrValidation.Withf("key usage %q: auth or sign", k)
		}
	}
	if p.reports[reportKey(c.UserIIN, CredentialEDSKey, c.Serial)] {
		return ErrCredentialCompromised.Withf("certificate %s was reported compromised", c.Serial)
	}
	if _, dup := p.certs[c.Issuer+"|"+c.Serial]; dup {
		return ErrCertificateExists.Withf("%s", c.Serial)
	}
	p.record(CertificateBound{PartyID: p.id, UserIIN: c.UserIIN, Serial: c.Serial, Issuer: c.Issuer, KeyUsage: slices.Clone(c.KeyUsage), NotBefore: c.NotBefore, NotAfter: c.NotAfter, BoundAt: now})
	return nil
}

// Acceptance is what accepting an offer version needs.
type Acceptance struct {
	// Trigger is the profile's trigger ("registration", "eds_signed", ...).
	Trigger string
	// ByIIN is who acted; empty only before the party's subject is bound.
	ByIIN    string
	Consents []Consent
	// Signature is the EDS signature evidence, opaque JSON.
	Signature json.RawMessage
	At        time.Time
}

// Accept records the acceptance of offer version v, checked against prof,
// the profile the version runs under.
func (p *Party) Accept(a Acceptance, v offer.Version, prof *profile.Profile) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if prof.Ref() != v.Profile || prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("version under %s, party under %s, profile %s", v.Profile, p.profile, prof.Ref())
	}
	if a.At.IsZero() {
		return domain.ErrValidation.Withf("accepted_at is required")
	}
	if err := v.AcceptableAt(a.At); err != nil {
		return err
	}
	if p.Accepted(v.OfferID, v.Number) {
		return ErrAlreadyAccepted.Withf("%s version %d", v.OfferID, v.Number)
	}
	tr, ok := prof.Trigger(a.Trigger)
	if !ok {
		return ErrTriggerNotInProfile.Withf("%q under %s", a.Trigger, prof.Ref())
	}
	if tr.Stage != "" && !slices.Contains(p.stages, tr.Stage) {
		return ErrRegistrationIncomplete.Withf("stage %s (clause %s)", tr.Stage, tr.Clause)
	}
	if len(a.Signature) > 0 && !json.Valid(a.Signature) {
		return domain.ErrValidation.Withf("signature evidence is not JSON")
	}
	if tr.RequiresSignature && len(a.Signature) == 0 {
		return ErrSignatureRequired.Withf("clause %s", tr.Clause)
	}
	if err := checkConsents(a.Consents, prof); err != nil {
		return err
	}
	auth, err := p.authority(a.ByIIN, a.At)
	if err != nil {
		return err
	}
	p.record(OfferAccepted{
		PartyID: p.id, OfferID: v.OfferID, OfferVersion: v.Number, Profile: v.Profile, Trigger: tr.Trigger,
		Clause: tr.Clause, ByIIN: a.ByIIN, Authority: auth, Consents: slices.Clone(a.Consents),
		Signature: a.Signature, AcceptedAt: a.At,
	})
	return nil
}

func checkConsents(given []Consent, prof *profile.Profile) error {
	known := map[string]profile.Consent{}
	for _, c := range prof.Acceptance.Consents {
		known[c.Kind] = c
	}
	seen := map[string]bool{}
	for _, c := range given {
		if _, ok := known[c.Kind]; !ok {
			return ErrConsentUnknown.Withf("%q under %s", c.Kind, prof.Ref())
		}
		if seen[c.Kind] {
			return domain.ErrValidation.Withf("consent %s given twice", c.Kind)
		}
		seen[c.Kind] = true
	}
	for _, k := range prof.Acceptance.Consents {
		if !k.Required {
			continue
		}
		i := slices.IndexFunc(given, func(c Consent) bool { return c.Kind == k.Kind })
		if i < 0 || !given[i].Given {
			return ErrConsentMissing.Withf("%s (clause %s)", k.Kind, k.Clause)
		}
	}
	return nil
}

// authority says on what ground iin acts for the party at t.
func (p *Party) authority(iin string, t time.Time) (Authority, error) {
	if iin == "" {
		if p.identity == "" {
			return Authority{Role: RoleRegistrant}, nil
		}
		return Authority{}, domain.ErrValidation.Withf("by_iin is required")
	}
	if !p.Attributable(iin, t) {
		c := p.cutoffs[iin]
		return Authority{}, ErrCredentialCompromised.Withf("%s reported at %s", iin, c.Format(time.RFC3339))
	}
	if iin == p.identity && p.kind != KindLegalEntity {
		return Authority{Role: RoleSelf}, nil
	}
	u, ok := p.users[iin]
	if !ok || t.Before(u.AddedAt) || (!u.removedAt.IsZero() && !t.Before(u.removedAt)) {
		return Authority{}, ErrNoAuthority.Withf("%s is not a user of the party at %s", iin, t.Format(time.RFC3339))
	}
	if u.Role == RoleFirstHead {
		return Authority{Role: RoleFirstHead}, nil
	}
	a := u.PowerOfAttorney
	switch {
	case a == nil:
		return Authority{}, ErrNoAuthority.Withf("%s (%s) has no power of attorney", iin, u.Role)
	case t.Before(a.ValidFrom):
		return Authority{}, ErrPowerOfAttorneyNotYet.Withf("%s from %s", a.Number, a.ValidFrom.Format(time.RFC3339))
	case !t.Before(a.ValidUntil):
		return Authority{}, ErrPowerOfAttorneyExpired.Withf("%s expired at %s", a.Number, a.ValidUntil.Format(time.RFC3339))
	case !slices.Contains(a.Scope, ScopeAcceptOffer) && !slices.Contains(a.Scope, ScopeAll):
		return Authority{}, ErrPowerOfAttorneyScope.Withf("%s covers %v", a.Number, a.Scope)
	}
	return Authority{Role: u.Role, PowerOfAttorney: a.Number}, nil
}

// TariffAcceptance is what accepting the tariff of one application needs.
type TariffAcceptance struct {
	ApplicationID string
	Service       string
	Tariff        string
	OfferID       string
	OfferVersion  int
	ByIIN         string
	At            time.Time
}

// AcceptTariff records the tariff consent given with one application for a
// service, where the profile asks for one (acceptance.per_application_tariff).
func (p *Party) AcceptTariff(t TariffAcceptance, prof *profile.Profile) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("party under %s, profile %s", p.profile, prof.Ref())
	}
	rule := prof.Acceptance.PerApplicationTariff
	if rule == nil {
		return ErrTariffConsentNotInProfile.Withf("%s", prof.Ref())
	}
	t.ApplicationID, t.Service, t.Tariff = strings.TrimSpace(t.ApplicationID), strings.TrimSpace(t.Service), strings.TrimSpace(t.Tariff)
	switch {
	case t.ApplicationID == "" || t.Service == "" || t.Tariff == "" || t.At.IsZero():
		return domain.ErrValidation.Withf("application_id, service, tariff and time are required")
	case !p.Accepted(t.OfferID, t.OfferVersion):
		return ErrNotAccepted.Withf("%s version %d", t.OfferID, t.OfferVersion)
	case p.tariffs[t.ApplicationID]:
		return ErrAlreadyAccepted.Withf("tariff of application %s", t.ApplicationID)
	}
	if _, err := p.authority(t.ByIIN, t.At); err != nil {
		return err
	}
	p.record(TariffAccepted{
		PartyID: p.id, ApplicationID: t.ApplicationID, Service: t.Service, Tariff: t.Tariff,
		OfferID: t.OfferID, OfferVersion: t.OfferVersion, Clause: rule.Clause, ByIIN: t.ByIIN, AcceptedAt: t.At,
	})
	return nil
}

// ObjectToAmendment records, at at, the party's objection to amended
// version v, within the window of the profile's amendments.objection_rule
// (idocs 14.3: 1 calendar day from the change taking effect).
func (p *Party) ObjectToAmendment(v offer.Version, byIIN string, at time.Time, eng *profile.Engine) error {
	if !p.registered {
		return ErrNotRegistered
	}
	prof := eng.Profile()
	if prof.Ref() != v.Profile || prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("version under %s, party under %s", v.Profile, p.profile)
	}
	key := acceptance{v.OfferID, v.Number}
	switch {
	case p.objected[key]:
		return ErrAlreadyObjected.Withf("%s version %d", v.OfferID, v.Number)
	case p.Accepted(v.OfferID, v.Number):
		return ErrAlreadyAccepted.Withf("%s version %d", v.OfferID, v.Number)
	case !p.acceptedEarlier(v.OfferID, v.Number):
		return ErrNotAccepted.Withf("no earlier version of %s", v.OfferID)
	case prof.Amendments.ObjectionRule == "":
		return ErrNoObjectionWindow.Withf("%s (clause %s)", prof.Ref(), prof.Amendments.Clause)
	}
	rule, err := prof.Rule(prof.Amendments.ObjectionRule)
	if err != nil {
		return err
	}
	from, ok := v.EventTime(rule.From)
	if !ok {
		return ErrNoObjectionWindow.Withf("the window runs from %s, which has not happened", rule.From)
	}
	due, err := eng.Deadline(rule.ID, from)
	if err != nil {
		return err
	}
	if at.After(due.At) {
		return ErrObjectionWindowClosed.Withf("closed at %s (clause %s)", due.At.Format(time.RFC3339), due.Clause)
	}
	if _, err := p.authority(byIIN, at); err != nil {
		return err
	}
	p.record(AmendmentObjected{PartyID: p.id, OfferID: v.OfferID, OfferVersion: v.Number, ByIIN: byIIN, WindowEnds: due.At, Clause: due.Clause, ObjectedAt: at,
		Calendar: due.Calendar, Provisional: due.Provisional, ProvisionalReason: due.Reason})
	return nil
}

// Who gives a termination notice.
const (
	ByClient   = "client"
	ByOperator = "operator"
)

// NotifyTermination records a notice of termination given at at by the
// client (byIIN, with authority) or the operator, for reason (for example
// an objection to an amendment). It takes effect after the profile's
// termination_by_client or termination_by_operator period, or at once when
// the profile defines none.
func (p *Party) NotifyTermination(by, byIIN, reason string, at time.Time, eng *profile.Engine) error {
	if !p.registered {
		return ErrNotRegistered
	}
	prof := eng.Profile()
	if prof.ID != p.profile.ID {
		return ErrProfileMismatch.Withf("party under %s, profile %s", p.profile, prof.Ref())
	}
	if by != ByClient && by != ByOperator {
		return domain.ErrValidation.Withf("by %q: client or operator", by)
	}
	if strings.TrimSpace(reason) == "" {
		return domain.ErrValidation.Withf("reason is required")
	}
	if p.terminating {
		return ErrAlreadyTerminating
	}
	if by == ByClient {
		if _, err := p.authority(byIIN, at); err != nil {
			return err
		}
	}
	e := TerminationNotified{PartyID: p.id, By: by, ByIIN: byIIN, Reason: strings.TrimSpace(reason), NotifiedAt: at, EffectiveAt: at}
	if _, err := prof.Rule("termination_by_" + by); err == nil {
		due, err := eng.Deadline("termination_by_"+by, at)
		if err != nil {
			return err
		}
		e.EffectiveAt, e.Clause = due.At, due.Clause
		e.Calendar, e.Provisional, e.ProvisionalReason = due.Calendar, due.Provisional, due.Reason
	}
	p.record(e)
	return nil
}

func (p *Party) acceptedEarlier(offerID string, version int) bool {
	for k := range p.accepted {
		if k.offerID == offerID && k.version < version {
			return true
		}
	}
	return false
}

// ReportCompromise records, at now, a user's report that a credential was
// stolen or disclosed; now becomes the cut-off after which actions under
// the user's credentials are not attributed to the party by default.
func (p *Party) ReportCompromise(iin string, cred Credential, certificateSerial, statement string, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	if _, err := kzid.Parse(iin); err != nil {
		return err
	}
	if _, ok := p.users[iin]; !ok && iin != p.identity {
		return ErrUserUnknown.Withf("%s", iin)
	}
	if cred != CredentialEDSKey && cred != CredentialPassword {
		return domain.ErrValidation.Withf("credential %q: eds_key or password", cred)
	}
	if cred == CredentialPassword && certificateSerial != "" {
		return domain.ErrValidation.Withf("a password has no certificate serial")
	}
	if p.reports[reportKey(iin, cred, certificateSerial)] {
		return ErrAlreadyReported
	}
	p.record(CompromiseReported{PartyID: p.id, UserIIN: iin, Credential: cred, CertificateSerial: certificateSerial, Statement: strings.TrimSpace(statement), ReportedAt: now})
	return nil
}

func reportKey(iin string, c Credential, serial string) string {
	return iin + "|" + string(c) + "|" + serial
}

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
