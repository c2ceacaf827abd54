package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/cmd/internal/app"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
	"docledger/profiles"
	"docledger/projections"
)

// ledgerctl parties reads the party read models of a real database.
func TestParties(t *testing.T) {
	ctx := context.Background()
	pool, dsn := pgtest.NewPool(t)
	t.Setenv("DATABASE_URL", dsn)
	store := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(store.Close)
	reg := app.NewRegistry()
	t0 := time.Date(2025, 6, 2, 5, 0, 0, 0, time.UTC)
	kez := profile.Ref{ID: "kezekte", Version: 1}
	id := uuid.New()
	put := func(stream string, ps ...event.Payload) {
		var envs []eventstore.Envelope
		for _, p := range ps {
			env, err := eventstore.Encode(reg, p)
			if err != nil {
				t.Fatal(err)
			}
			env.OccurredAt = t0
			envs = append(envs, env)
		}
		if _, err := store.Append(ctx, stream, eventstore.NoStream, envs...); err != nil {
			t.Fatal(err)
		}
	}
	hash := strings.Repeat("ab", 32)
	put(offer.StreamID("kez"), offer.VersionPublished{OfferID: "kez", Version: 1, Profile: kez, Texts: []offer.Text{{Language: "kk", SHA256: hash}},
		Prevailing: "equal", PublishedAt: t0, EffectiveAt: t0})
	put(party.StreamID(id),
		party.Registered{PartyID: id, Kind: party.KindIndividual, IdentityNumber: "900101300126", Names: party.Names{Full: "Тест"}, Profile: kez,
			Stage: "registration", RegisteredAt: t0},
		party.OfferAccepted{PartyID: id, OfferID: "kez", OfferVersion: 1, Profile: kez, Trigger: "eds_signed", Clause: "signature_block",
			ByIIN: "900101300126", Authority: party.Authority{Role: party.RoleSelf}, Signature: json.RawMessage(`{"verdict":"valid"}`), AcceptedAt: t0})
	cat, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if err := store.WaitReadable(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range app.Projections(reg, cat) {
		if _, err := projections.CatchUp(ctx, pool, store, p, p.Name(), 100, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"show", []string{"parties", "show", id.String()}, 0, []string{`"identity_number": "900101300126"`, `"profile": "kezekte.v1"`}, ""},
		{"acceptance proof", []string{"parties", "acceptance-proof", id.String()}, 0, []string{`"trigger": "eds_signed"`, `"verdict": "valid"`, hash}, ""},
		{"offer at a time", []string{"parties", "offer-at", id.String(), "--at", "2025-06-03"}, 0, []string{`"offer_version": 1`, `"profile": "kezekte.v1"`}, ""},
		{"offer before acceptance", []string{"parties", "offer-at", id.String(), "--at", "2025-06-01"}, 0, []string{`"offers": []`}, ""},
		{"terms ending", []string{"parties", "terms-ending", "--from", "2028-01-01", "--before", "2028-06-04"}, 0,
			[]string{id.String(), `"ends_at": "2028-06-02T19:00:00Z"`, `"years": 3`}, ""},
		{"no terms ending", []string{"parties", "terms-ending", "--from", "2028-01-01", "--before", "2028-06-02"}, 0, []string{"[]"}, ""},
		{"unknown party", []string{"parties", "show", uuid.NewString()}, 1, nil, "not found"},
		{"not a uuid", []string{"parties", "show", "x"}, 1, nil, "not a UUID"},
		{"offer-at without --at", []string{"parties", "offer-at", id.String()}, 2, nil, "--at is required"},
		{"unknown sub-command", []string{"parties", "delete"}, 2, nil, "unknown sub-command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(ctx, tt.args, &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out.String(), errOut.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout %q lacks %q", out.String(), s)
				}
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", errOut.String(), tt.stderr)
			}
		})
	}
}
