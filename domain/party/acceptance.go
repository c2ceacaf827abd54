package party

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/offer"
	"docledger/domain/profile"
)

// Accepted reports whether the party accepted version of offerID.
func (p *Party) Accepted(offerID string, version int) bool {
	_, ok := p.accepted[acceptance{offerID, version}]
	return ok
}

// Acceptances lists the party's acceptances in order.
func (p *Party) Acceptances() []OfferAccepted { return slices.Clone(p.acceptances) }

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
