package offer_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/profile"
	"docledger/profiles"
)

const (
	kkHash = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
	ruHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
)

var (
	t0 = time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC) // 10:00 in Almaty, Monday
	ru = []offer.Text{{Language: "ru", SHA256: ruHash}}
	kk = []offer.Text{{Language: "kk", SHA256: kkHash}}
)

func engine(t *testing.T, id string) *profile.Engine {
	t.Helper()
	c, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Get(profile.Ref{ID: id, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	return profile.NewEngine(p, cal)
}

func published(id, prof string, n int, texts []offer.Text, prevailing string, at, eff time.Time) offer.VersionPublished {
	return offer.VersionPublished{OfferID: id, Version: n, Profile: profile.Ref{ID: prof, Version: 1}, Texts: texts, Prevailing: prevailing, PublishedAt: at, EffectiveAt: eff}
}

func TestOfferRules(t *testing.T) {
	idocs, atameken, centerpro := engine(t, "idocs"), engine(t, "atameken"), engine(t, "centerpro")
	idocsV1 := published("idocs-offer", "idocs", 1, ru, "ru", t0, t0)
	ataV1 := published("atameken-offer", "atameken", 1, kk, "kk", t0, t0)
	day := 24 * time.Hour
	tests := []struct {
		name  string
		id    string
		given []event.Payload
		when  func(o *offer.Offer) error
		then  []event.Payload
		err   error
	}{
		{"publish the first version", "idocs-offer", nil,
			func(o *offer.Offer) error { return o.Publish(offer.Publication{Texts: ru, EffectiveAt: t0}, idocs, t0) },
			[]event.Payload{idocsV1}, nil},
		{"publish both texts, sorted", "centerpro-offer", nil,
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: append(append([]offer.Text{}, ru...), kk...), EffectiveAt: t0.Add(day)}, centerpro, t0)
			},
			[]event.Payload{published("centerpro-offer", "centerpro", 1, []offer.Text{kk[0], ru[0]}, "ru", t0, t0.Add(day))}, nil},
		{"a language of the profile has no text", "centerpro-offer", nil,
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: ru, EffectiveAt: t0}, centerpro, t0)
			},
			nil, offer.ErrTextMissing},
		{"prevailing language against the profile", "idocs-offer", nil,
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: ru, Prevailing: "equal", EffectiveAt: t0}, idocs, t0)
			}, nil, offer.ErrProfileMismatch},
		{"effective before publication", "idocs-offer", nil,
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: ru, EffectiveAt: t0.Add(-time.Hour)}, idocs, t0)
			},
			nil, domain.ErrValidation},
		{"bad text hash", "idocs-offer", nil,
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: []offer.Text{{Language: "ru", SHA256: "ABC"}}, EffectiveAt: t0}, idocs, t0)
			}, nil, domain.ErrValidation},
		{"bad offer id", "Idocs Offer", nil,
			func(o *offer.Offer) error { return o.Publish(offer.Publication{Texts: ru, EffectiveAt: t0}, idocs, t0) },
			nil, domain.ErrValidation},
		{"a version under another operator's profile", "idocs-offer", []event.Payload{idocsV1},
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: kk, EffectiveAt: t0.Add(5 * day)}, atameken, t0)
			},
			nil, offer.ErrProfileMismatch},
		// Atameken 10.1: at least 3 days' notice before an amendment takes effect.
		{"amendment with 3 days' notice", "atameken-offer", []event.Payload{ataV1},
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: kk, EffectiveAt: t0.Add(3 * day)}, atameken, t0)
			},
			[]event.Payload{published("atameken-offer", "atameken", 2, kk, "kk", t0, t0.Add(3*day))}, nil},
		{"amendment with 2 days' notice", "atameken-offer", []event.Payload{ataV1},
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: kk, EffectiveAt: t0.Add(2 * day)}, atameken, t0)
			},
			nil, offer.ErrNoticeTooShort},
		// idocs 2.2: amendments take effect on publication, no notice owed.
		{"idocs amendment effective at once", "idocs-offer", []event.Payload{idocsV1},
			func(o *offer.Offer) error {
				return o.Publish(offer.Publication{Texts: ru, EffectiveAt: t0.Add(day)}, idocs, t0.Add(day))
			},
			[]event.Payload{published("idocs-offer", "idocs", 2, ru, "ru", t0.Add(day), t0.Add(day))}, nil},
		{"withdraw", "idocs-offer", []event.Payload{idocsV1},
			func(o *offer.Offer) error { return o.Withdraw(1, " replaced ", t0.Add(day)) },
			[]event.Payload{offer.VersionWithdrawn{OfferID: "idocs-offer", Version: 1, Reason: "replaced", WithdrawnAt: t0.Add(day)}}, nil},
		{"withdraw twice", "idocs-offer", []event.Payload{idocsV1, offer.VersionWithdrawn{OfferID: "idocs-offer", Version: 1, WithdrawnAt: t0}},
			func(o *offer.Offer) error { return o.Withdraw(1, "again", t0.Add(day)) }, nil, offer.ErrVersionWithdrawn},
		{"withdraw an unknown version", "idocs-offer", []event.Payload{idocsV1},
			func(o *offer.Offer) error { return o.Withdraw(2, "x", t0) }, nil, offer.ErrVersionUnknown},
		{"notice of an amendment", "atameken-offer", []event.Payload{ataV1, published("atameken-offer", "atameken", 2, kk, "kk", t0, t0.Add(3*day))},
			func(o *offer.Offer) error { return o.SendAmendmentNotice(2, "site", "all", atameken.Profile(), t0) },
			[]event.Payload{offer.AmendmentNoticeSent{OfferID: "atameken-offer", Version: 2, Channel: "site", Recipients: "all", SentAt: t0}}, nil},
		{"notice by a channel the profile does not name", "atameken-offer", []event.Payload{ataV1, published("atameken-offer", "atameken", 2, kk, "kk", t0, t0.Add(3*day))},
			func(o *offer.Offer) error { return o.SendAmendmentNotice(2, "sms", "all", atameken.Profile(), t0) }, nil, offer.ErrChannel},
		{"notice of the first version", "atameken-offer", []event.Payload{ataV1},
			func(o *offer.Offer) error { return o.SendAmendmentNotice(1, "site", "all", atameken.Profile(), t0) }, nil, offer.ErrNotAnAmendment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := offer.New(tt.id)
			for i, p := range tt.given {
				o.Apply(p)
				o.Loaded(int64(i + 1))
			}
			err := tt.when(o)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got := o.Changes(); !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events = %#v, want %#v", got, tt.then)
			}
		})
	}
}

func TestAcceptableVersion(t *testing.T) {
	day := 24 * time.Hour
	o := offer.New("idocs-offer")
	for _, p := range []event.Payload{
		published("idocs-offer", "idocs", 1, ru, "ru", t0, t0),
		published("idocs-offer", "idocs", 2, ru, "ru", t0.Add(day), t0.Add(10*day)),
		published("idocs-offer", "idocs", 3, ru, "ru", t0.Add(day), t0.Add(20*day)),
		offer.VersionWithdrawn{OfferID: "idocs-offer", Version: 3, WithdrawnAt: t0.Add(15 * day)},
	} {
		o.Apply(p)
	}
	tests := []struct {
		name string
		n    int
		at   time.Time
		err  error
	}{
		{"in effect", 1, t0.Add(day), nil},
		{"not yet in effect", 2, t0.Add(9 * day), offer.ErrVersionNotEffective},
		{"superseded", 1, t0.Add(10 * day), offer.ErrVersionSuperseded},
		{"the newer one", 2, t0.Add(10 * day), nil},
		{"withdrawn before it took effect", 3, t0.Add(25 * day), offer.ErrVersionWithdrawn},
		{"still the current one after the withdrawal", 2, t0.Add(25 * day), nil},
		{"unknown", 4, t0, offer.ErrVersionUnknown},
	}
	for _, tt := range tests {
		v, err := o.AcceptableVersion(tt.n, tt.at)
		if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
			t.Errorf("%s: error = %v, want %v", tt.name, err, tt.err)
		}
		if err == nil && v.Number != tt.n {
			t.Errorf("%s: version %d", tt.name, v.Number)
		}
	}
	if v, ok := o.Version(3); !ok {
		t.Fatal("no version 3")
	} else if w, ok := v.EventTime(offer.EventWithdrawn); !ok || !w.Equal(t0.Add(15*day)) {
		t.Errorf("withdrawn at %v %v", w, ok)
	}
}

func TestRegisterRoundTrip(t *testing.T) {
	r := event.NewRegistry()
	offer.Register(r)
	want := published("idocs-offer", "idocs", 1, ru, "ru", t0, t0)
	env, err := r.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Decode(env.Type, env.SchemaVersion, env.Data)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip = %#v, %v", got, err)
	}
}
