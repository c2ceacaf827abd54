package commands_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/commands"
	"docledger/domain"
	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/eventstore/memstore"
	"docledger/profiles"
)

// newParties is a registrar in memory with the party and offer handlers,
// on an in-memory store: no database, no bus.
func newParties(t *testing.T) handlers {
	t.Helper()
	reg := event.NewRegistry()
	party.Register(reg)
	offer.Register(reg)
	cat, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		t.Fatal(err)
	}
	h := handlers{}
	if err := commands.RegisterPartyHandlers(h, commands.PartyDeps{Store: memstore.New(nil), Registry: reg,
		Clock: domain.ClockFunc(func() time.Time { return now }), Cache: commands.NewStreamCache(100), Profiles: cat, Calendar: cal}); err != nil {
		t.Fatal(err)
	}
	return h
}

// The party and offer commands' table: every command has its handler, and
// its JSON fields are the ones the HTTP API and its clients send.
func TestPartyCommandTable(t *testing.T) {
	h := newParties(t)
	fields := map[string]string{
		"RegisterParty":             "accept contacts identity_number kind names party_id profile proofs resident",
		"CompleteRegistrationStage": "identity_number party_id proofs stage",
		"AcceptOffer":               "accepted_at by_iin consents offer_id party_id signature trigger version",
		"AddPartyUser":              "iin name org_unit party_id power_of_attorney role",
		"RemovePartyUser":           "iin party_id",
		"OpenOrgUnit":               "address bin kind name party_id unit_id",
		"BindCertificate":           "issuer key_usage not_after not_before party_id serial user_iin",
		"ChangeRequisites":          "changed_on contacts names party_id resident",
		"ReportCompromise":          "certificate_serial credential party_id statement user_iin",
		"NotifyTermination":         "by by_iin party_id reason",
		"AcceptTariff":              "accepted_at application_id by_iin offer_id offer_version party_id service tariff",
		"ObjectToAmendment":         "by_iin offer_id party_id version",
		"PublishOfferVersion":       "effective_at offer_id prevailing profile texts",
		"WithdrawOfferVersion":      "offer_id reason version",
		"SendAmendmentNotice":       "channel offer_id recipients version",
	}
	for name, want := range fields {
		r, ok := h[name]
		if !ok {
			t.Errorf("%s: no handler", name)
			continue
		}
		cmd := r.New()
		if got := jsonFields(t, cmd); got != want {
			t.Errorf("%s fields: %s\nwant %s", name, got, want)
		}
	}
}

// jsonFields lists the JSON fields of cmd, filled from a payload that sets
// every optional field a party or offer command has, so that omitempty
// keeps them.
func jsonFields(t *testing.T, cmd commands.Command) string {
	t.Helper()
	all := `{"accept":{},"contacts":{},"names":{},"identity_number":"x","accepted_at":"2026-03-02T10:00:00Z",
		"by_iin":"x","signature":{},"org_unit":"x","power_of_attorney":{},"bin":"x","address":"x","resident":true,
		"certificate_serial":"x","statement":"x","prevailing":"x"}`
	if err := json.Unmarshal([]byte(all), cmd); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), " ")
}

// The table's shared steps: a party command without a party ID is refused
// before anything is read, a command for a party that is not registered is
// refused by the domain, and an offer command reaches the offer.
func TestPartyCommandTableSteps(t *testing.T) {
	h := newParties(t)
	ctx := context.Background()
	tests := []struct {
		name string
		cmd  commands.Command
		err  error
	}{
		{"no party id", &commands.AddPartyUser{IIN: "900101300126", Name: "A", Role: party.RoleFirstHead}, domain.ErrValidation},
		{"no party id, registered-party change", &commands.NotifyTermination{By: party.ByOperator, Reason: "r"}, domain.ErrValidation},
		{"an unregistered party", &commands.RemovePartyUser{PartyID: uuid.New(), IIN: "900101300126"}, party.ErrNotRegistered},
		{"an unregistered party, registered-party change", &commands.AcceptTariff{PartyID: uuid.New(), ApplicationID: "A"}, party.ErrNotRegistered},
		{"an unknown offer version", &commands.WithdrawOfferVersion{OfferID: "none", Version: 1, Reason: "r"}, offer.ErrVersionUnknown},
		{"a notice of an unknown offer version", &commands.SendAmendmentNotice{OfferID: "none", Version: 1, Channel: "site", Recipients: "all"}, offer.ErrVersionUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := h.send(ctx, commands.Meta{}, tt.cmd); !errors.Is(err, tt.err) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
		})
	}
}
