package party_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/kzid"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/profiles"
)

var (
	partyID = uuid.MustParse("0192f1d2-7c4e-7a35-9b1a-6f2c8e4d1a11")
	// Monday 2 June 2025, 10:00 in Almaty.
	t0  = time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC)
	day = 24 * time.Hour

	iinSelf     = "900101300126" // the individual party
	iinHead     = "850715400016" // first head of the legal entity
	iinEmployee = "770701300456"
	iinOther    = "930303400562"
	binEntity   = "990140000126"
	binBranch   = "990141000121"

	sig = json.RawMessage(`{"cms":"MIIB...","tsp":"MIIC...","ocsp":"good"}`)
	eds = party.Proof{Kind: profile.ProofEDS, At: t0, Evidence: sig}
)

// kzVersion and kzStatus2027 are the embedded calendar's version and its
// reason for answering 2027 provisionally, which events record.
var kzVersion, kzStatus2027 = func() (string, string) {
	c, err := calendar.Kazakhstan()
	if err != nil {
		panic(err)
	}
	st, err := c.Status(2027)
	if err != nil {
		panic(err)
	}
	return c.Version(), st.Reason
}()

type env struct {
	cat *profile.Catalog
	cal *calendar.Calendar
}

func setup(t *testing.T) env {
	t.Helper()
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return env{c, cal}
}

func (e env) prof(t *testing.T, id string) *profile.Profile {
	t.Helper()
	p, err := e.cat.Get(profile.Ref{ID: id, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ref(id string) profile.Ref { return profile.Ref{ID: id, Version: 1} }

func version(offerID, prof string, n int, effective time.Time) offer.Version {
	return offer.Version{OfferID: offerID, Number: n, Profile: ref(prof), PublishedAt: effective.Add(-day), EffectiveAt: effective}
}

func registered(prof, stage string, kind party.Kind, number string, proofs ...party.Proof) party.Registered {
	return party.Registered{
		PartyID: partyID, Kind: kind, IdentityNumber: number, Names: party.Names{Full: "Test party"},
		Contacts: party.Contacts{Email: "a@example.kz", Phone: "+77010000000"}, Profile: ref(prof), Stage: stage,
		Proofs: proofs, RegisteredAt: t0,
	}
}

func registration(kind party.Kind, number string, proofs ...party.Proof) party.Registration {
	return party.Registration{
		Kind: kind, IdentityNumber: number, Names: party.Names{Full: " Test party "},
		Contacts: party.Contacts{Email: "a@example.kz", Phone: "+77010000000"}, Proofs: proofs,
	}
}

type when func(t *testing.T, e env, p *party.Party) error

type tcase struct {
	name  string
	given []event.Payload
	when  when
	then  []event.Payload
	err   error
}

func run(t *testing.T, tests []tcase) {
	t.Helper()
	e := setup(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := party.New(partyID)
			for i, ev := range tt.given {
				p.Apply(ev)
				p.Loaded(int64(i + 1))
			}
			err := tt.when(t, e, p)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got := p.Changes(); !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events = %#v\nwant %#v", got, tt.then)
			}
		})
	}
}

func TestRegistrationFlows(t *testing.T) {
	phone := party.Proof{Kind: profile.ProofPhone, At: t0, Evidence: json.RawMessage(`{"code_entered_at":"2025-06-02T05:00:00Z"}`)}
	box := party.Proof{Kind: profile.ProofCheckbox, At: t0}
	ismetPre := registered("ismet", "pre_registration", party.KindEntrepreneur, "", phone, box)
	run(t, []tcase{
		// Kezekte 3.4.1: a valid EDS is required at registration.
		{"kezekte registers with an EDS", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindIndividual, iinSelf, eds), e.prof(t, "kezekte"), t0)
		}, []event.Payload{registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)}, nil},
		{"kezekte refuses a registration without EDS", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindIndividual, iinSelf, phone), e.prof(t, "kezekte"), t0)
		}, nil, party.ErrProofMissing},
		{"an EDS proof without evidence", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindIndividual, iinSelf, party.Proof{Kind: profile.ProofEDS, At: t0}), e.prof(t, "kezekte"), t0)
		}, nil, party.ErrProofMissing},
		{"a wrong IIN check digit", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindIndividual, "900101300123", eds), e.prof(t, "idocs"), t0)
		}, nil, kzid.ErrCheckDigit},
		{"a BIN for an individual", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindIndividual, binEntity, eds), e.prof(t, "idocs"), t0)
		}, nil, party.ErrIdentityKind},
		{"an IIN for a legal entity", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindLegalEntity, iinSelf, eds), e.prof(t, "idocs"), t0)
		}, nil, party.ErrIdentityKind},
		{"an unknown kind", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration("cooperative", binEntity, eds), e.prof(t, "idocs"), t0)
		}, nil, party.ErrUnknownKind},
		{"register twice", []event.Payload{registered("idocs", "registration", party.KindIndividual, iinSelf, eds)},
			func(t *testing.T, e env, p *party.Party) error {
				return p.Register(registration(party.KindIndividual, iinSelf, eds), e.prof(t, "idocs"), t0)
			}, nil, party.ErrAlreadyRegistered},
		// ISMET 2.1 and 5.2: pre-registration by phone, then the subject bound by EDS.
		{"ismet pre-registers by phone", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindEntrepreneur, "", phone, box), e.prof(t, "ismet"), t0)
		}, []event.Payload{ismetPre}, nil},
		{"ismet binds no IIN at pre-registration", nil, func(t *testing.T, e env, p *party.Party) error {
			return p.Register(registration(party.KindEntrepreneur, iinSelf, phone, box), e.prof(t, "ismet"), t0)
		}, nil, domain.ErrValidation},
		{"ismet binds the subject by EDS", []event.Payload{ismetPre}, func(t *testing.T, e env, p *party.Party) error {
			return p.CompleteStage("full_registration", iinSelf, []party.Proof{eds}, e.prof(t, "ismet"), t0.Add(day))
		}, []event.Payload{party.RegistrationStageCompleted{PartyID: partyID, Stage: "full_registration", IdentityNumber: iinSelf, Proofs: []party.Proof{eds}, CompletedAt: t0.Add(day)}}, nil},
		{"ismet full registration without EDS", []event.Payload{ismetPre}, func(t *testing.T, e env, p *party.Party) error {
			return p.CompleteStage("full_registration", iinSelf, []party.Proof{phone}, e.prof(t, "ismet"), t0.Add(day))
		}, nil, party.ErrProofMissing},
		{"ismet stage twice", []event.Payload{ismetPre}, func(t *testing.T, e env, p *party.Party) error {
			return p.CompleteStage("pre_registration", "", []party.Proof{phone, box}, e.prof(t, "ismet"), t0.Add(day))
		}, nil, party.ErrStageOrder},
		{"a stage under another operator's profile", []event.Payload{ismetPre}, func(t *testing.T, e env, p *party.Party) error {
			return p.CompleteStage("registration", iinSelf, []party.Proof{eds}, e.prof(t, "kezekte"), t0.Add(day))
		}, nil, party.ErrProfileMismatch},
	})
}

func TestAcceptance(t *testing.T) {
	idocsReg := registered("idocs", "registration", party.KindIndividual, iinSelf, eds)
	kezReg := registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)
	ataReg := registered("atameken", "registration", party.KindIndividual, iinSelf, eds)
	ismetPre := registered("ismet", "pre_registration", party.KindEntrepreneur, "",
		party.Proof{Kind: profile.ProofPhone, At: t0}, party.Proof{Kind: profile.ProofCheckbox, At: t0})
	idocsV1 := version("idocs-offer", "idocs", 1, t0)
	marketing := []party.Consent{{Kind: profile.ConsentMarketing, Given: true}}
	accepted := func(v offer.Version, trigger, clause, by string, role party.Role, consents []party.Consent, signature json.RawMessage, at time.Time) party.OfferAccepted {
		return party.OfferAccepted{PartyID: partyID, OfferID: v.OfferID, OfferVersion: v.Number, Profile: v.Profile, Trigger: trigger, Clause: clause,
			ByIIN: by, Authority: party.Authority{Role: role}, Consents: consents, Signature: signature, AcceptedAt: at}
	}
	idocsAccepted := accepted(idocsV1, "registration", "2.3", iinSelf, party.RoleSelf, marketing, nil, t0)
	withdrawn := idocsV1
	withdrawn.WithdrawnAt = t0.Add(time.Hour)
	kezV1 := version("kezekte-agreement", "kezekte", 1, t0)
	kezConsents := []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}, {Kind: profile.ConsentSecrets, Given: true}}
	ataV1 := version("atameken-offer", "atameken", 1, t0)
	ataConsents := []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}}
	ataAccepted := accepted(ataV1, "eds_signed", "12.1", iinSelf, party.RoleSelf, ataConsents, sig, t0)

	run(t, []tcase{
		// idocs 2.3: registration accepts; mailing consent given with it (16.8).
		{"idocs accepts on registration", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinSelf, Consents: marketing, At: t0}, idocsV1, e.prof(t, "idocs"))
		}, []event.Payload{idocsAccepted}, nil},
		{"idocs accepts on first payment", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "first_payment", ByIIN: iinSelf, Consents: marketing, At: t0.Add(day)}, idocsV1, e.prof(t, "idocs"))
		}, []event.Payload{accepted(idocsV1, "first_payment", "2.3", iinSelf, party.RoleSelf, marketing, nil, t0.Add(day))}, nil},
		{"a trigger the profile does not know", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "first_use", ByIIN: iinSelf, Consents: marketing, At: t0}, idocsV1, e.prof(t, "idocs"))
		}, nil, party.ErrTriggerNotInProfile},
		{"the same version twice", []event.Payload{idocsReg, idocsAccepted}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "first_payment", ByIIN: iinSelf, Consents: marketing, At: t0.Add(day)}, idocsV1, e.prof(t, "idocs"))
		}, nil, party.ErrAlreadyAccepted},
		{"a withdrawn version", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinSelf, Consents: marketing, At: t0.Add(2 * time.Hour)}, withdrawn, e.prof(t, "idocs"))
		}, nil, offer.ErrVersionWithdrawn},
		{"a version not yet in effect", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinSelf, Consents: marketing, At: t0}, version("idocs-offer", "idocs", 2, t0.Add(day)), e.prof(t, "idocs"))
		}, nil, offer.ErrVersionNotEffective},
		{"a required consent refused", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinSelf, Consents: []party.Consent{{Kind: profile.ConsentMarketing}}, At: t0}, idocsV1, e.prof(t, "idocs"))
		}, nil, party.ErrConsentMissing},
		{"a consent the profile does not know", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinSelf, Consents: append(marketing, party.Consent{Kind: profile.ConsentSecrets, Given: true}), At: t0}, idocsV1, e.prof(t, "idocs"))
		}, nil, party.ErrConsentUnknown},
		{"by someone who is not the party", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "registration", ByIIN: iinOther, Consents: marketing, At: t0}, idocsV1, e.prof(t, "idocs"))
		}, nil, party.ErrNoAuthority},
		{"a version of another operator", []event.Payload{idocsReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "eds_signed", ByIIN: iinSelf, Consents: kezConsents, Signature: sig, At: t0}, kezV1, e.prof(t, "kezekte"))
		}, nil, party.ErrProfileMismatch},
		// Kezekte: signed with EDS, with consent to personal data and secrets (2.6).
		{"kezekte accepts by EDS signature", []event.Payload{kezReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "eds_signed", ByIIN: iinSelf, Consents: kezConsents, Signature: sig, At: t0}, kezV1, e.prof(t, "kezekte"))
		}, []event.Payload{accepted(kezV1, "eds_signed", "signature_block", iinSelf, party.RoleSelf, kezConsents, sig, t0)}, nil},
		{"kezekte without the signature", []event.Payload{kezReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "eds_signed", ByIIN: iinSelf, Consents: kezConsents, At: t0}, kezV1, e.prof(t, "kezekte"))
		}, nil, party.ErrSignatureRequired},
		{"kezekte without consent to secrets", []event.Payload{kezReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "eds_signed", ByIIN: iinSelf, Consents: kezConsents[:1], Signature: sig, At: t0}, kezV1, e.prof(t, "kezekte"))
		}, nil, party.ErrConsentMissing},
		// ISMET 2.1: the box ticked at pre-registration, before the subject is known.
		{"ismet accepts by checkbox before the subject is bound", []event.Payload{ismetPre}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(party.Acceptance{Trigger: "checkbox", Consents: []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}, {Kind: profile.ConsentMarketing}}, At: t0},
				version("ismet-offer", "ismet", 1, t0), e.prof(t, "ismet"))
		}, []event.Payload{accepted(version("ismet-offer", "ismet", 1, t0), "checkbox", "2.1", "", party.RoleRegistrant,
			[]party.Consent{{Kind: profile.ConsentPersonalData, Given: true}, {Kind: profile.ConsentMarketing}}, nil, t0)}, nil},
		// Atameken 6.4: the tariff again with every application.
		{"atameken tariff with an application", []event.Payload{ataReg, ataAccepted}, func(t *testing.T, e env, p *party.Party) error {
			return p.AcceptTariff(party.TariffAcceptance{ApplicationID: "APP-1", Service: "counterparty_check", Tariff: "single-2025", OfferID: "atameken-offer", OfferVersion: 1, ByIIN: iinSelf, At: t0.Add(day)}, e.prof(t, "atameken"))
		}, []event.Payload{party.TariffAccepted{PartyID: partyID, ApplicationID: "APP-1", Service: "counterparty_check", Tariff: "single-2025", OfferID: "atameken-offer", OfferVersion: 1, Clause: "6.4", ByIIN: iinSelf, AcceptedAt: t0.Add(day)}}, nil},
		{"atameken tariff before the offer is accepted", []event.Payload{ataReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.AcceptTariff(party.TariffAcceptance{ApplicationID: "APP-1", Service: "counterparty_check", Tariff: "single-2025", OfferID: "atameken-offer", OfferVersion: 1, ByIIN: iinSelf, At: t0.Add(day)}, e.prof(t, "atameken"))
		}, nil, party.ErrNotAccepted},
		{"atameken tariff of the same application twice", []event.Payload{ataReg, ataAccepted, party.TariffAccepted{PartyID: partyID, ApplicationID: "APP-1"}}, func(t *testing.T, e env, p *party.Party) error {
			return p.AcceptTariff(party.TariffAcceptance{ApplicationID: "APP-1", Service: "counterparty_check", Tariff: "single-2025", OfferID: "atameken-offer", OfferVersion: 1, ByIIN: iinSelf, At: t0.Add(day)}, e.prof(t, "atameken"))
		}, nil, party.ErrAlreadyAccepted},
		{"idocs asks for no tariff per application", []event.Payload{idocsReg, idocsAccepted}, func(t *testing.T, e env, p *party.Party) error {
			return p.AcceptTariff(party.TariffAcceptance{ApplicationID: "APP-1", Service: "edo", Tariff: "basic", OfferID: "idocs-offer", OfferVersion: 1, ByIIN: iinSelf, At: t0.Add(day)}, e.prof(t, "idocs"))
		}, nil, party.ErrTariffConsentNotInProfile},
	})
}

func TestAuthorityOfALegalEntity(t *testing.T) {
	reg := registered("idocs", "registration", party.KindLegalEntity, binEntity, eds)
	head := party.UserAdded{PartyID: partyID, UserIIN: iinHead, Name: "Head", Role: party.RoleFirstHead, AddedAt: t0}
	poa := &party.PowerOfAttorney{Number: "POA-7", Scope: []string{party.ScopeAcceptOffer}, ValidFrom: t0, ValidUntil: t0.Add(30 * day)}
	employee := party.UserAdded{PartyID: partyID, UserIIN: iinEmployee, Name: "Employee", Role: party.RoleEmployee, PowerOfAttorney: poa, AddedAt: t0}
	narrow := employee
	narrow.PowerOfAttorney = &party.PowerOfAttorney{Number: "POA-8", Scope: []string{"sign_documents"}, ValidFrom: t0, ValidUntil: t0.Add(30 * day)}
	v := version("idocs-offer", "idocs", 1, t0)
	marketing := []party.Consent{{Kind: profile.ConsentMarketing, Given: true}}
	acc := func(by string, at time.Time) party.Acceptance {
		return party.Acceptance{Trigger: "registration", ByIIN: by, Consents: marketing, At: at}
	}
	run(t, []tcase{
		{"the first head accepts", []event.Payload{reg, head}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinHead, t0), v, e.prof(t, "idocs"))
		}, []event.Payload{party.OfferAccepted{PartyID: partyID, OfferID: "idocs-offer", OfferVersion: 1, Profile: ref("idocs"), Trigger: "registration", Clause: "2.3",
			ByIIN: iinHead, Authority: party.Authority{Role: party.RoleFirstHead}, Consents: marketing, AcceptedAt: t0}}, nil},
		{"an employee under a valid power of attorney", []event.Payload{reg, employee}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinEmployee, t0.Add(day)), v, e.prof(t, "idocs"))
		}, []event.Payload{party.OfferAccepted{PartyID: partyID, OfferID: "idocs-offer", OfferVersion: 1, Profile: ref("idocs"), Trigger: "registration", Clause: "2.3",
			ByIIN: iinEmployee, Authority: party.Authority{Role: party.RoleEmployee, PowerOfAttorney: "POA-7"}, Consents: marketing, AcceptedAt: t0.Add(day)}}, nil},
		{"an employee whose power of attorney expired", []event.Payload{reg, employee}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinEmployee, t0.Add(30*day)), v, e.prof(t, "idocs"))
		}, nil, party.ErrPowerOfAttorneyExpired},
		{"a power of attorney that does not cover acceptance", []event.Payload{reg, narrow}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinEmployee, t0.Add(day)), v, e.prof(t, "idocs"))
		}, nil, party.ErrPowerOfAttorneyScope},
		{"a person who is not a user", []event.Payload{reg, head}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinOther, t0), v, e.prof(t, "idocs"))
		}, nil, party.ErrNoAuthority},
		{"a removed user", []event.Payload{reg, head, party.UserRemoved{PartyID: partyID, UserIIN: iinHead, RemovedAt: t0.Add(day)}}, func(t *testing.T, e env, p *party.Party) error {
			return p.Accept(acc(iinHead, t0.Add(2*day)), v, e.prof(t, "idocs"))
		}, nil, party.ErrNoAuthority},
		{"a user who reported a compromise", []event.Payload{reg, head, party.CompromiseReported{PartyID: partyID, UserIIN: iinHead, Credential: party.CredentialPassword, ReportedAt: t0.Add(day)}},
			func(t *testing.T, e env, p *party.Party) error {
				return p.Accept(acc(iinHead, t0.Add(day+time.Minute)), v, e.prof(t, "idocs"))
			}, nil, party.ErrCredentialCompromised},
		{"adding an employee with an expired power of attorney", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.AddUser(party.User{IIN: iinEmployee, Name: "Employee", Role: party.RoleEmployee, PowerOfAttorney: poa}, t0.Add(31*day))
		}, nil, party.ErrPowerOfAttorneyExpired},
		{"adding an employee without a power of attorney", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.AddUser(party.User{IIN: iinEmployee, Name: "Employee", Role: party.RoleEmployee}, t0)
		}, nil, party.ErrPowerOfAttorneyRequired},
		{"adding an employee", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.AddUser(party.User{IIN: iinEmployee, Name: "Employee", Role: party.RoleEmployee, PowerOfAttorney: poa}, t0)
		}, []event.Payload{employee}, nil},
		{"adding the same user twice", []event.Payload{reg, employee}, func(t *testing.T, e env, p *party.Party) error {
			return p.AddUser(party.User{IIN: iinEmployee, Name: "Employee", Role: party.RoleFirstHead}, t0)
		}, nil, party.ErrUserExists},
		{"a user with a wrong IIN", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.AddUser(party.User{IIN: "770701300457", Name: "X", Role: party.RoleFirstHead}, t0)
		}, nil, kzid.ErrCheckDigit},
	})
}

func TestRequisitesUnitsCertificates(t *testing.T) {
	reg := registered("idocs", "registration", party.KindLegalEntity, binEntity, eds)
	indiv := registered("idocs", "registration", party.KindIndividual, iinSelf, eds)
	head := party.UserAdded{PartyID: partyID, UserIIN: iinHead, Name: "Head", Role: party.RoleFirstHead, AddedAt: t0}
	on := calendar.Date{Year: 2025, Month: time.June, Day: 1}
	newContacts := party.Contacts{Email: "b@example.kz", Phone: "+77010000000"}
	same := party.Contacts{Email: "a@example.kz", Phone: "+77010000000"}
	cert := party.Certificate{UserIIN: iinHead, Serial: "4f2a", Issuer: "NCA RK (GOST)", KeyUsage: []string{"sign"}, NotBefore: t0.Add(-day), NotAfter: t0.Add(365 * day)}
	bound := party.CertificateBound{PartyID: partyID, UserIIN: iinHead, Serial: "4f2a", Issuer: "NCA RK (GOST)", KeyUsage: []string{"sign"}, NotBefore: t0.Add(-day), NotAfter: t0.Add(365 * day), BoundAt: t0}
	run(t, []tcase{
		{"a change of e-mail, with its date", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.ChangeRequisites(party.RequisitesChange{Contacts: &newContacts, Names: &party.Names{Full: "Test party"}, ChangedOn: on}, t0)
		}, []event.Payload{party.RequisitesChanged{PartyID: partyID, Contacts: &newContacts, ChangedOn: on, RecordedAt: t0}}, nil},
		{"a change that changes nothing", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.ChangeRequisites(party.RequisitesChange{Contacts: &same, ChangedOn: on}, t0)
		}, nil, party.ErrUnchanged},
		{"a change without its date", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.ChangeRequisites(party.RequisitesChange{Contacts: &newContacts}, t0)
		}, nil, domain.ErrValidation},
		{"a branch with its own BIN", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.OpenOrgUnit(party.OrgUnit{ID: "almaty", Kind: party.UnitBranch, Name: "Almaty branch", BIN: binBranch}, t0)
		}, []event.Payload{party.OrgUnitOpened{PartyID: partyID, UnitID: "almaty", Kind: party.UnitBranch, Name: "Almaty branch", BIN: binBranch, OpenedAt: t0}}, nil},
		{"a branch with a head-office BIN", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.OpenOrgUnit(party.OrgUnit{ID: "almaty", Kind: party.UnitBranch, Name: "Almaty branch", BIN: binEntity}, t0)
		}, nil, party.ErrIdentityKind},
		{"a second head office", []event.Payload{reg, party.OrgUnitOpened{PartyID: partyID, UnitID: "hq", Kind: party.UnitHeadOffice, Name: "HQ"}}, func(t *testing.T, e env, p *party.Party) error {
			return p.OpenOrgUnit(party.OrgUnit{ID: "hq2", Kind: party.UnitHeadOffice, Name: "HQ 2"}, t0)
		}, nil, party.ErrOrgUnitExists},
		{"an individual has no org units", []event.Payload{indiv}, func(t *testing.T, e env, p *party.Party) error {
			return p.OpenOrgUnit(party.OrgUnit{ID: "hq", Kind: party.UnitHeadOffice, Name: "HQ"}, t0)
		}, nil, party.ErrNotLegalEntity},
		{"bind a certificate", []event.Payload{reg, head}, func(t *testing.T, e env, p *party.Party) error {
			return p.BindCertificate(cert, t0)
		}, []event.Payload{bound}, nil},
		{"bind a certificate twice", []event.Payload{reg, head, bound}, func(t *testing.T, e env, p *party.Party) error {
			return p.BindCertificate(cert, t0)
		}, nil, party.ErrCertificateExists},
		{"bind an expired certificate", []event.Payload{reg, head}, func(t *testing.T, e env, p *party.Party) error {
			return p.BindCertificate(cert, t0.Add(400*day))
		}, nil, party.ErrCertificateExpired},
		{"bind a certificate reported compromised", []event.Payload{reg, head, party.CompromiseReported{PartyID: partyID, UserIIN: iinHead, Credential: party.CredentialEDSKey, CertificateSerial: "4f2a", ReportedAt: t0}},
			func(t *testing.T, e env, p *party.Party) error { return p.BindCertificate(cert, t0.Add(day)) }, nil, party.ErrCredentialCompromised},
		{"bind a certificate to a stranger", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.BindCertificate(cert, t0)
		}, nil, party.ErrUserUnknown},
	})
}

func TestAmendmentObjection(t *testing.T) {
	reg := registered("idocs", "registration", party.KindIndividual, iinSelf, eds)
	acc1 := party.OfferAccepted{PartyID: partyID, OfferID: "idocs-offer", OfferVersion: 1, Profile: ref("idocs"), AcceptedAt: t0}
	// Version 2 takes effect on Friday 9 January 2026 at 12:00 in Almaty: the
	// 1-calendar-day window of idocs 14.3 ends on Saturday, rolled to the end
	// of Monday 12 January.
	eff := time.Date(2026, 1, 9, 7, 0, 0, 0, time.UTC)
	v2 := version("idocs-offer", "idocs", 2, eff)
	windowEnds := time.Date(2026, 1, 12, 19, 0, 0, 0, time.UTC)
	kezReg := registered("kezekte", "registration", party.KindIndividual, iinSelf, eds)
	run(t, []tcase{
		{"object within the window", []event.Payload{reg, acc1}, func(t *testing.T, e env, p *party.Party) error {
			return p.ObjectToAmendment(v2, iinSelf, windowEnds.Add(-time.Hour), profile.NewEngine(e.prof(t, "idocs"), e.cal))
		}, []event.Payload{party.AmendmentObjected{PartyID: partyID, OfferID: "idocs-offer", OfferVersion: 2, ByIIN: iinSelf, WindowEnds: windowEnds, Clause: "14.3", ObjectedAt: windowEnds.Add(-time.Hour), Calendar: kzVersion}}, nil},
		{"object after the window", []event.Payload{reg, acc1}, func(t *testing.T, e env, p *party.Party) error {
			return p.ObjectToAmendment(v2, iinSelf, windowEnds.Add(time.Minute), profile.NewEngine(e.prof(t, "idocs"), e.cal))
		}, nil, party.ErrObjectionWindowClosed},
		{"object twice", []event.Payload{reg, acc1, party.AmendmentObjected{PartyID: partyID, OfferID: "idocs-offer", OfferVersion: 2}}, func(t *testing.T, e env, p *party.Party) error {
			return p.ObjectToAmendment(v2, iinSelf, eff, profile.NewEngine(e.prof(t, "idocs"), e.cal))
		}, nil, party.ErrAlreadyObjected},
		{"object without having accepted before", []event.Payload{reg}, func(t *testing.T, e env, p *party.Party) error {
			return p.ObjectToAmendment(v2, iinSelf, eff, profile.NewEngine(e.prof(t, "idocs"), e.cal))
		}, nil, party.ErrNotAccepted},
		{"kezekte gives no objection window", []event.Payload{kezReg, party.OfferAccepted{PartyID: partyID, OfferID: "kez", OfferVersion: 1, Profile: ref("kezekte"), AcceptedAt: t0}},
			func(t *testing.T, e env, p *party.Party) error {
				return p.ObjectToAmendment(version("kez", "kezekte", 2, eff), iinSelf, eff, profile.NewEngine(e.prof(t, "kezekte"), e.cal))
			}, nil, party.ErrNoObjectionWindow},
	})
}

func TestCompromiseCutoff(t *testing.T) {
	e := setup(t)
	p := party.New(partyID)
	p.Apply(registered("atameken", "registration", party.KindIndividual, iinSelf, eds))
	if err := p.ReportCompromise(iinSelf, party.CredentialEDSKey, "4f2a", "key stolen", t0.Add(day)); err != nil {
		t.Fatal(err)
	}
	if err := p.ReportCompromise(iinSelf, party.CredentialEDSKey, "4f2a", "again", t0.Add(2*day)); !errors.Is(err, party.ErrAlreadyReported) {
		t.Fatalf("second report: %v", err)
	}
	if err := p.ReportCompromise(iinOther, party.CredentialPassword, "", "", t0); !errors.Is(err, party.ErrUserUnknown) {
		t.Fatalf("report by a stranger: %v", err)
	}
	if !p.Attributable(iinSelf, t0.Add(day-time.Second)) || p.Attributable(iinSelf, t0.Add(day)) || !p.Attributable(iinOther, t0.Add(3*day)) {
		t.Fatal("attribution does not follow the cut-off")
	}
	if c, ok := p.CompromiseCutoff(iinSelf); !ok || !c.Equal(t0.Add(day)) {
		t.Fatalf("cut-off = %v, %v", c, ok)
	}
	err := p.Accept(party.Acceptance{Trigger: "eds_signed", ByIIN: iinSelf, Consents: []party.Consent{{Kind: profile.ConsentPersonalData, Given: true}}, Signature: sig, At: t0.Add(2 * day)},
		version("atameken-offer", "atameken", 1, t0), e.prof(t, "atameken"))
	if !errors.Is(err, party.ErrCredentialCompromised) {
		t.Fatalf("acceptance after the cut-off: %v", err)
	}
	if n := len(p.Changes()); n != 1 {
		t.Fatalf("%d events recorded, want only the report", n)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	r := event.NewRegistry()
	party.Register(r)
	for _, want := range []event.Payload{
		registered("kezekte", "registration", party.KindIndividual, iinSelf, eds),
		party.OfferAccepted{PartyID: partyID, OfferID: "o", OfferVersion: 1, Profile: ref("kezekte"), Trigger: "eds_signed", Clause: "signature_block",
			ByIIN: iinSelf, Authority: party.Authority{Role: party.RoleSelf}, Consents: []party.Consent{{Kind: "personal_data", Given: true}}, Signature: sig, AcceptedAt: t0},
		party.RequisitesChanged{PartyID: partyID, Contacts: &party.Contacts{Email: "x@example.kz"}, ChangedOn: calendar.Date{Year: 2025, Month: 6, Day: 1}, RecordedAt: t0},
	} {
		env, err := r.Encode(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Decode(env.Type, env.SchemaVersion, env.Data)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(got)
		b, _ := json.Marshal(want)
		if string(a) != string(b) {
			t.Fatalf("round trip of %s:\n%s\n%s", want.EventType(), a, b)
		}
	}
}

func TestTermination(t *testing.T) {
	ataReg := registered("atameken", "registration", party.KindIndividual, iinSelf, eds)
	cpReg := registered("centerpro", "registration", party.KindIndividual, iinSelf, eds)
	// Atameken 10.2.1: 10 working days after the operator receives the
	// notice; from Thursday 2 May 2024 that is Monday 20 May (Saturday 4
	// May worked, 7-9 May off).
	at := time.Date(2024, 5, 2, 4, 0, 0, 0, time.UTC)
	late := time.Date(2026, 12, 21, 5, 0, 0, 0, time.UTC)
	run(t, []tcase{
		{"client's notice under atameken", []event.Payload{ataReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByClient, iinSelf, "objects to the amendment", at, profile.NewEngine(e.prof(t, "atameken"), e.cal))
		}, []event.Payload{party.TerminationNotified{PartyID: partyID, By: "client", ByIIN: iinSelf, Reason: "objects to the amendment", Clause: "10.2.1",
			NotifiedAt: at, EffectiveAt: time.Date(2024, 5, 20, 19, 0, 0, 0, time.UTC), Calendar: kzVersion}}, nil},
		// From Monday 21 December 2026, 10 working days end on Wednesday 6
		// January 2027, a year whose data is not published yet: the notice
		// records the date computed from the rules and says it is provisional.
		{"client's notice into a provisional year", []event.Payload{ataReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByClient, iinSelf, "leaving", late, profile.NewEngine(e.prof(t, "atameken"), e.cal))
		}, []event.Payload{party.TerminationNotified{PartyID: partyID, By: "client", ByIIN: iinSelf, Reason: "leaving", Clause: "10.2.1",
			NotifiedAt: late, EffectiveAt: time.Date(2027, 1, 6, 19, 0, 0, 0, time.UTC), Calendar: kzVersion, Provisional: true, ProvisionalReason: kzStatus2027}}, nil},
		{"client's notice where the profile has no period", []event.Payload{cpReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByClient, iinSelf, "leaving", at, profile.NewEngine(e.prof(t, "centerpro"), e.cal))
		}, []event.Payload{party.TerminationNotified{PartyID: partyID, By: "client", ByIIN: iinSelf, Reason: "leaving", NotifiedAt: at, EffectiveAt: at}}, nil},
		// Center Pro 13.2: the operator gives 10 calendar days.
		{"operator's notice under centerpro", []event.Payload{cpReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByOperator, "", "breach", at, profile.NewEngine(e.prof(t, "centerpro"), e.cal))
		}, []event.Payload{party.TerminationNotified{PartyID: partyID, By: "operator", Reason: "breach", Clause: "13.2", NotifiedAt: at, EffectiveAt: time.Date(2024, 5, 12, 19, 0, 0, 0, time.UTC)}}, nil},
		{"a second notice", []event.Payload{cpReg, party.TerminationNotified{PartyID: partyID, By: "client"}}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByClient, iinSelf, "again", at, profile.NewEngine(e.prof(t, "centerpro"), e.cal))
		}, nil, party.ErrAlreadyTerminating},
		{"a client's notice by a stranger", []event.Payload{cpReg}, func(t *testing.T, e env, p *party.Party) error {
			return p.NotifyTermination(party.ByClient, iinOther, "x", at, profile.NewEngine(e.prof(t, "centerpro"), e.cal))
		}, nil, party.ErrNoAuthority},
	})
}
