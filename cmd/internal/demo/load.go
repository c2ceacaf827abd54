package demo

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/uuid"

	"docledger/commands"
	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/document"
	"docledger/domain/offer"
	"docledger/domain/party"
)

// Sender sends a command and waits for its result: the command bus.
type Sender interface {
	Send(ctx context.Context, meta commands.Meta, cmd commands.Command) (commands.Result, error)
}

// Report is what a load did.
type Report struct {
	// Commands is how many commands the demo sends; Applied how many of them
	// were new (0 on a second load).
	Commands, Applied int
}

// step is one demo command with its fixed idempotency key.
type step struct {
	id  string
	cmd func() (commands.Command, error)
	// after, when set, is a time the step waits for (the offers' taking
	// effect, a moment after their first publication).
	after time.Time
}

// Document is a demo document and the state it is left in.
type Document struct {
	Key, From, To, Title string
	Kind                 document.Kind
	// State is registered, sent or delivered.
	State document.Status
}

// ID is the document's id.
func (d Document) ID() uuid.UUID { return uuid.NewSHA1(namespace, []byte("document-"+d.Key)) }

// Documents are the demo documents: between the demo parties (named by
// party id), in every state a document has.
var Documents = []Document{
	{"invoice-1", "idocs", "atameken", "Счёт на оплату № 1 за октябрь 2026", document.KindInvoice, document.StatusDelivered},
	{"act-14", "idocs", "centerpro", "Акт выполненных работ № 14", document.KindActOfWorks, document.StatusSent},
	{"reconciliation-q3", "atameken", "idocs", "Акт сверки за III квартал 2026", document.KindReconciliation, document.StatusDelivered},
	{"contract-77", "centerpro", "kezekte", "Договор поставки № 77", document.KindContract, document.StatusRegistered},
	{"letter-tariff", "idocs", "ismet", "Письмо о новом тарифе", document.KindLetter, document.StatusSent},
}

// PartyRef is how documents name a demo party: its id.
func PartyRef(key string) string {
	p, _ := PartyByKey(key)
	return p.ID().String()
}

// Load sends the demo's commands through s, each with a fixed idempotency
// key, so a second load applies nothing. Signatures are made with the demo
// PKI's keys and kept under p.Dir/state: a command resent after a restart
// carries the same CMS (a new CMS under the same key would be another
// request).
func Load(ctx context.Context, s Sender, p *PKI) (Report, error) {
	var r Report
	all, err := steps(p)
	if err != nil {
		return r, err
	}
	for _, st := range all {
		if d := time.Until(st.after); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return r, ctx.Err()
			}
		}
		if st.cmd == nil {
			continue
		}
		cmd, err := st.cmd()
		if err != nil {
			return r, fmt.Errorf("demo %s: %w", st.id, err)
		}
		r.Commands++
		res, err := s.Send(ctx, commands.Meta{CommandID: "demo-" + st.id, Actor: "demo"}, cmd)
		var de *domain.Error
		if errors.As(err, &de) && de.Code == commands.ErrIdempotencyKeyReused.Code {
			// Loaded before with another demo PKI (its signatures differ).
			continue
		}
		if err != nil {
			return r, fmt.Errorf("demo %s: %w", st.id, err)
		}
		if !res.Duplicate {
			r.Applied++
		}
	}
	return r, nil
}

func steps(p *PKI) ([]step, error) {
	// The offers take effect when they are first published (a version may
	// not take effect before its publication); the time is kept with the
	// PKI, so the command is the same on every load.
	raw, err := p.once("offers-effective-at", func() ([]byte, error) {
		return []byte(time.Now().UTC().Truncate(time.Second).Add(2 * time.Second).Format(time.RFC3339)), nil
	})
	if err != nil {
		return nil, err
	}
	effectiveAt, err := time.Parse(time.RFC3339, string(raw))
	if err != nil {
		return nil, fmt.Errorf("demo: %s/state/offers-effective-at: %w", p.Dir, err)
	}
	var out []step
	add := func(id string, cmd func() (commands.Command, error)) { out = append(out, step{id: id, cmd: cmd}) }
	fixed := func(c commands.Command) func() (commands.Command, error) {
		return func() (commands.Command, error) { return c, nil }
	}
	signed := func(id, login string, content []byte) (commands.SignatureInput, error) {
		cms, err := p.signedOnce(id, login, content)
		return commands.SignatureInput{CMS: base64.StdEncoding.EncodeToString(cms)}, err
	}
	eds := func(id, login string, content []byte) ([]commands.ProofInput, error) {
		s, err := signed(id, login, content)
		return []commands.ProofInput{{Kind: "eds_signature", Signature: &s}}, err
	}
	statement := func(pt Party, login string) []byte {
		return fmt.Appendf(nil, "DEMO. Заявление о регистрации %s (%s) у оператора %s. Подписал: %s.\n", pt.Names.Full, pt.IdentityNumber, pt.Key, login)
	}
	given := func(kinds ...string) []party.Consent {
		c := make([]party.Consent, 0, len(kinds))
		for _, k := range kinds {
			c = append(c, party.Consent{Kind: k, Given: true})
		}
		return c
	}

	for _, o := range Offers {
		langs := make([]string, 0, len(o.Texts))
		for l := range o.Texts {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		texts := make([]offer.Text, 0, len(langs))
		for _, l := range langs {
			texts = append(texts, offer.Text{Language: l, SHA256: sha256hex([]byte(o.Texts[l]))})
		}
		add("offer-"+o.Profile, fixed(&commands.PublishOfferVersion{OfferID: o.ID, Profile: o.Profile, Texts: texts, EffectiveAt: effectiveAt}))
	}
	// Every acceptance waits for the offers to be in effect.
	out = append(out, step{id: "offers-in-effect", after: effectiveAt})
	pty := func(key string) Party { pt, _ := PartyByKey(key); return pt }
	usr := func(login string) User { u, _ := UserByLogin(login); return u }
	off := func(key string) Offer { o, _ := OfferFor(key); return o }

	// idocs: a legal entity registered by its first head's EDS, with a head
	// office and a branch, the head and an employee under a power of
	// attorney, their certificates bound, and the offer accepted by the
	// first payment.
	idocs, serik, dana := pty("idocs"), usr("serik"), usr("dana")
	add("idocs-register", func() (commands.Command, error) {
		pr, err := eds("idocs-register", "serik", statement(idocs, "serik"))
		return &commands.RegisterParty{PartyID: idocs.ID(), Profile: idocs.Profile, Kind: idocs.Kind, IdentityNumber: idocs.IdentityNumber,
			Resident: true, Names: idocs.Names, Contacts: idocs.Contacts, Proofs: pr}, err
	})
	add("idocs-unit-hq", fixed(&commands.OpenOrgUnit{PartyID: idocs.ID(), UnitID: "hq", Kind: party.UnitHeadOffice, Name: "Головной офис", Address: "Алматы, пр. Абая, 1"}))
	add("idocs-unit-astana", fixed(&commands.OpenOrgUnit{PartyID: idocs.ID(), UnitID: "astana", Kind: party.UnitBranch, Name: "Филиал в Астане", Address: "Астана, ул. Сыганак, 10"}))
	add("idocs-user-serik", fixed(&commands.AddPartyUser{PartyID: idocs.ID(), IIN: serik.IIN, Name: "Ахметов Серик", Role: party.RoleFirstHead, OrgUnit: "hq"}))
	add("idocs-user-dana", fixed(&commands.AddPartyUser{PartyID: idocs.ID(), IIN: dana.IIN, Name: "Нурланова Дана", Role: party.RoleEmployee, OrgUnit: "astana",
		PowerOfAttorney: &party.PowerOfAttorney{Number: "ДОВ-2026/7", Scope: []string{"accept_offer", "sign_documents"},
			ValidFrom: effectiveAt, ValidUntil: effectiveAt.AddDate(3, 0, 0)}}))
	for _, login := range []string{"serik", "dana"} {
		h, _ := p.Holder(login)
		for _, c := range []struct {
			usage string
			cert  func() (string, string, time.Time, time.Time)
		}{{"sign", func() (string, string, time.Time, time.Time) {
			return h.Sign.SerialNumber.Text(16), h.Sign.Issuer.String(), h.Sign.NotBefore, h.Sign.NotAfter
		}}, {"auth", func() (string, string, time.Time, time.Time) {
			return h.Auth.SerialNumber.Text(16), h.Auth.Issuer.String(), h.Auth.NotBefore, h.Auth.NotAfter
		}}} {
			serial, issuer, nb, na := c.cert()
			add("idocs-cert-"+login+"-"+c.usage, fixed(&commands.BindCertificate{PartyID: idocs.ID(), UserIIN: h.User.IIN, Serial: serial, Issuer: issuer,
				KeyUsage: []string{c.usage}, NotBefore: nb.UTC(), NotAfter: na.UTC()}))
		}
	}
	add("idocs-accept", fixed(&commands.AcceptOffer{PartyID: idocs.ID(), OfferID: off("idocs").ID, Version: 1, Trigger: "first_payment",
		ByIIN: serik.IIN, Consents: given("marketing", "privacy_policy")}))

	// atameken: a legal entity whose first head signs the agreement's text
	// (the acceptance by EDS), then confirms a tariff for an application.
	atameken, marat := pty("atameken"), usr("marat")
	add("atameken-register", func() (commands.Command, error) {
		pr, err := eds("atameken-register", "marat", statement(atameken, "marat"))
		return &commands.RegisterParty{PartyID: atameken.ID(), Profile: atameken.Profile, Kind: atameken.Kind, IdentityNumber: atameken.IdentityNumber,
			Resident: true, Names: atameken.Names, Contacts: atameken.Contacts, Proofs: pr}, err
	})
	add("atameken-user-marat", fixed(&commands.AddPartyUser{PartyID: atameken.ID(), IIN: marat.IIN, Name: "Жакупов Марат", Role: party.RoleFirstHead}))
	add("atameken-accept", func() (commands.Command, error) {
		s, err := signed("atameken-accept", "marat", []byte(off("atameken").Texts["kk"]))
		return &commands.AcceptOffer{PartyID: atameken.ID(), OfferID: off("atameken").ID, Version: 1, Trigger: "eds_signed",
			ByIIN: marat.IIN, Consents: given("personal_data"), Signature: &s}, err
	})
	add("atameken-tariff", fixed(&commands.AcceptTariff{PartyID: atameken.ID(), ApplicationID: "APP-2026-0001", Service: "counterparty_check",
		Tariff: "Стандарт, 5 000 ₸ за проверку", OfferID: off("atameken").ID, OfferVersion: 1, ByIIN: marat.IIN}))

	// centerpro: an individual entrepreneur registered by EDS, accepting by
	// first use with the privacy-policy and personal-data consents
	// (marketing refused).
	centerpro := pty("centerpro")
	add("centerpro-register", func() (commands.Command, error) {
		pr, err := eds("centerpro-register", "gulnara", statement(centerpro, "gulnara"))
		return &commands.RegisterParty{PartyID: centerpro.ID(), Profile: centerpro.Profile, Kind: centerpro.Kind, IdentityNumber: centerpro.IdentityNumber,
			Resident: true, Names: centerpro.Names, Contacts: centerpro.Contacts, Proofs: pr}, err
	})
	add("centerpro-accept", fixed(&commands.AcceptOffer{PartyID: centerpro.ID(), OfferID: off("centerpro").ID, Version: 1, Trigger: "first_use", ByIIN: centerpro.IdentityNumber,
		Consents: append(given("privacy_policy", "personal_data"), party.Consent{Kind: "marketing", Given: false})}))

	// ismet: pre-registration by phone and checkbox (accepting the offer, no
	// IIN yet), then full registration by EDS binding the IIN.
	ismet := pty("ismet")
	add("ismet-register", fixed(&commands.RegisterParty{PartyID: ismet.ID(), Profile: ismet.Profile, Kind: ismet.Kind, Resident: true,
		Names: ismet.Names, Contacts: ismet.Contacts,
		Proofs: []commands.ProofInput{{Kind: "phone_confirmation", Evidence: []byte(`{"phone":"+77010000003","sms_code_confirmed":true}`)}, {Kind: "checkbox"}},
		Accept: &commands.RegistrationAcceptance{OfferID: off("ismet").ID, Version: 1, Trigger: "checkbox",
			Consents: append(given("personal_data"), party.Consent{Kind: "marketing", Given: false})}}))
	add("ismet-full-registration", func() (commands.Command, error) {
		pr, err := eds("ismet-full-registration", "timur", statement(ismet, "timur"))
		return &commands.CompleteRegistrationStage{PartyID: ismet.ID(), Stage: "full_registration", IdentityNumber: ismet.IdentityNumber, Proofs: pr}, err
	})

	// kezekte: one EDS signature over the agreement's text registers the
	// person and accepts the offer; the 3-year term starts.
	kezekte := pty("kezekte")
	add("kezekte-register", func() (commands.Command, error) {
		pr, err := eds("kezekte-register", "alibek", []byte(off("kezekte").Texts["kk"]))
		return &commands.RegisterParty{PartyID: kezekte.ID(), Profile: kezekte.Profile, Kind: kezekte.Kind, IdentityNumber: kezekte.IdentityNumber,
			Resident: true, Names: kezekte.Names, Contacts: kezekte.Contacts, Proofs: pr,
			Accept: &commands.RegistrationAcceptance{OfferID: off("kezekte").ID, Version: 1, Trigger: "eds_signed",
				Consents: given("personal_data", "commercial_and_tax_secrets")}}, err
	})

	// The rest of the party and offer life: an amended idocs offer
	// (version 2, in effect in 60 days) announced on the site, to which the
	// idocs party objects; a Center Pro version 2 withdrawn before it took
	// effect; new contacts of the entrepreneur; an administrator added and
	// removed; a compromised password reported; and the ISMET client's
	// notice of termination.
	in60 := effectiveAt.AddDate(0, 0, 60)
	v2 := func(profile, lang string) []offer.Text {
		return []offer.Text{{Language: lang, SHA256: sha256hex(fmt.Appendf(nil, "DEMO. Публичная оферта оператора %s, редакция 2.\n", profile))}}
	}
	add("offer-idocs.v1-v2", fixed(&commands.PublishOfferVersion{OfferID: off("idocs").ID, Profile: "idocs.v1", Texts: v2("idocs", "ru"), EffectiveAt: in60}))
	add("offer-idocs.v1-v2-notice", fixed(&commands.SendAmendmentNotice{OfferID: off("idocs").ID, Version: 2, Channel: "site", Recipients: "all"}))
	add("idocs-objection", fixed(&commands.ObjectToAmendment{PartyID: idocs.ID(), OfferID: off("idocs").ID, Version: 2, ByIIN: serik.IIN}))
	add("offer-centerpro.v1-v2", fixed(&commands.PublishOfferVersion{OfferID: off("centerpro").ID, Profile: "centerpro.v1",
		Texts: append(v2("centerpro", "kk"), v2("centerpro", "ru")[0]), EffectiveAt: in60}))
	add("offer-centerpro.v1-v2-withdraw", fixed(&commands.WithdrawOfferVersion{OfferID: off("centerpro").ID, Version: 2, Reason: "DEMO: опубликована по ошибке"}))
	add("centerpro-requisites", fixed(&commands.ChangeRequisites{PartyID: centerpro.ID(), ChangedOn: calendar.DateOf(effectiveAt),
		Contacts: &party.Contacts{Email: "gulnara.saparova@demo.kz", Phone: "+77010000002", Address: "Шымкент, ул. Байтурсынова, 5"}}))
	add("idocs-user-aliya", fixed(&commands.AddPartyUser{PartyID: idocs.ID(), IIN: "860615400701", Name: "Касымова Алия", Role: party.RoleAdministrator, OrgUnit: "hq"}))
	add("idocs-user-aliya-remove", fixed(&commands.RemovePartyUser{PartyID: idocs.ID(), IIN: "860615400701"}))
	add("idocs-compromise", fixed(&commands.ReportCompromise{PartyID: idocs.ID(), UserIIN: dana.IIN, Credential: party.CredentialPassword,
		Statement: "DEMO: пароль от кабинета стал известен третьим лицам"}))
	add("ismet-termination", fixed(&commands.NotifyTermination{PartyID: ismet.ID(), By: "client", ByIIN: ismet.IdentityNumber, Reason: "DEMO: услуги больше не нужны"}))

	// Documents in every state.
	for i, d := range Documents {
		id := d.ID()
		add("doc-"+d.Key+"-register", fixed(&commands.RegisterDocument{DocumentID: id, SenderParty: PartyRef(d.From), RecipientParty: PartyRef(d.To),
			Kind: d.Kind, Title: d.Title, ContentSHA256: sha256hex(fmt.Appendf(nil, "demo document %d: %s", i, d.Title))}))
		if d.State == document.StatusSent || d.State == document.StatusDelivered {
			add("doc-"+d.Key+"-send", fixed(&commands.SendDocument{DocumentID: id}))
		}
		if d.State == document.StatusDelivered {
			add("doc-"+d.Key+"-deliver", fixed(&commands.DeliverDocument{DocumentID: id}))
		}
	}
	return out, nil
}

// signedOnce signs content as login the first time step id needs it and
// returns the same CMS afterwards (kept in p.Dir/state).
func (p *PKI) signedOnce(id, login string, content []byte) ([]byte, error) {
	return p.once(id+".p7s", func() ([]byte, error) { return p.Sign(login, content, SignOptions{}) })
}

// once returns the bytes kept as p.Dir/state/name, making and keeping them
// with make the first time.
func (p *PKI) once(name string, make func() ([]byte, error)) ([]byte, error) {
	file := filepath.Join(p.Dir, "state", name)
	if b, err := os.ReadFile(file); err == nil {
		return b, nil
	}
	b, err := make()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return nil, err
	}
	return b, writeFile(file, b, 0o600)
}
