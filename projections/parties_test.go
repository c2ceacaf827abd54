package projections_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
	"docledger/profiles"
	"docledger/projections"
	"docledger/projections/acceptances"
	"docledger/projections/parties"
	"docledger/projections/terms"
)

// The party read models built from events appended straight to the store:
// the party view, the acceptance proof, the offer in force at a time and
// the terms ending soon; then a rebuild of each gives the same answers.
func TestPartyReadModels(t *testing.T) {
	t.Parallel() // its own database
	ctx := context.Background()
	pool, _ := pgtest.NewPool(t)
	store := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(store.Close)
	reg := event.NewRegistry()
	party.Register(reg)
	offer.Register(reg)
	cat, err := profiles.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	models := []projections.Projection{parties.New(reg), acceptances.New(reg, cat), terms.New(reg, cat)}
	appendTo := func(stream string, expected eventstore.ExpectedVersion, ps ...event.Payload) {
		t.Helper()
		var envs []eventstore.Envelope
		for _, p := range ps {
			env, err := eventstore.Encode(reg, p)
			if err != nil {
				t.Fatal(err)
			}
			env.OccurredAt, env.Actor = t0, "test"
			envs = append(envs, env)
		}
		if _, err := store.Append(ctx, stream, expected, envs...); err != nil {
			t.Fatal(err)
		}
	}
	kez := profile.Ref{ID: "kezekte", Version: 1}
	texts := []offer.Text{{Language: "kk", SHA256: hash}, {Language: "ru", SHA256: hash}}
	appendTo(offer.StreamID("kez"), eventstore.NoStream,
		offer.VersionPublished{OfferID: "kez", Version: 1, Profile: kez, Texts: texts, Prevailing: "equal", PublishedAt: t0, EffectiveAt: t0},
		offer.VersionPublished{OfferID: "kez", Version: 2, Profile: kez, Texts: texts, Prevailing: "equal", PublishedAt: t0, EffectiveAt: t0.Add(30 * 24 * time.Hour)})
	id, other := uuid.New(), uuid.New()
	sig := json.RawMessage(`{"verdict":"valid"}`)
	accepted := func(p uuid.UUID, v int, at time.Time) party.OfferAccepted {
		return party.OfferAccepted{PartyID: p, OfferID: "kez", OfferVersion: v, Profile: kez, Trigger: "eds_signed", Clause: "signature_block",
			ByIIN: "900101300126", Authority: party.Authority{Role: party.RoleSelf},
			Consents: []party.Consent{{Kind: "personal_data", Given: true}}, Signature: sig, AcceptedAt: at}
	}
	// Accepted on 2 March 2026 (Almaty), so the 3-year term ends at the end of 2 March 2029 in Almaty.
	appendTo(party.StreamID(id), eventstore.NoStream,
		party.Registered{PartyID: id, Kind: party.KindLegalEntity, IdentityNumber: "990140000126", Names: party.Names{Full: "ТОО"},
			Profile: kez, Stage: "registration", Proofs: []party.Proof{{Kind: "eds_signature", At: t0, Evidence: sig}}, RegisteredAt: t0},
		party.OrgUnitOpened{PartyID: id, UnitID: "hq", Kind: party.UnitHeadOffice, Name: "HQ", OpenedAt: t0},
		party.UserAdded{PartyID: id, UserIIN: "850715400016", Name: "Head", Role: party.RoleFirstHead, OrgUnit: "hq", AddedAt: t0},
		party.UserAdded{PartyID: id, UserIIN: "770701300456", Name: "Clerk", Role: party.RoleEmployee, AddedAt: t0,
			PowerOfAttorney: &party.PowerOfAttorney{Number: "P1", Scope: []string{"all"}, ValidFrom: t0, ValidUntil: t0.Add(time.Hour)}},
		party.CertificateBound{PartyID: id, UserIIN: "850715400016", Serial: "0a", Issuer: "CN=NCA", KeyUsage: []string{"sign"}, NotBefore: t0, NotAfter: t0.Add(time.Hour), BoundAt: t0},
		party.UserRemoved{PartyID: id, UserIIN: "770701300456", RemovedAt: t0.Add(time.Minute)},
		party.CompromiseReported{PartyID: id, UserIIN: "850715400016", Credential: party.CredentialPassword, ReportedAt: t0.Add(2 * time.Minute)},
		accepted(id, 1, t0),
		accepted(id, 2, t0.Add(40*24*time.Hour)))
	appendTo(party.StreamID(other), eventstore.NoStream,
		party.Registered{PartyID: other, Kind: party.KindIndividual, IdentityNumber: "900101300126", Names: party.Names{Full: "Тест"},
			Profile: kez, Stage: "registration", RegisteredAt: t0},
		accepted(other, 1, t0.Add(time.Hour)),
		party.TerminationNotified{PartyID: other, By: party.ByClient, Reason: "leaving", NotifiedAt: t0.Add(2 * time.Hour), EffectiveAt: t0.Add(3 * time.Hour)})

	objector := uuid.New()
	appendTo(party.StreamID(objector), eventstore.NoStream,
		party.Registered{PartyID: objector, Kind: party.KindIndividual, IdentityNumber: "900101300126", Names: party.Names{Full: "Против"},
			Profile: kez, Stage: "registration", RegisteredAt: t0},
		accepted(objector, 1, t0),
		party.AmendmentObjected{PartyID: objector, OfferID: "kez", OfferVersion: 2, ByIIN: "900101300126", WindowEnds: t0.Add(31 * 24 * time.Hour),
			Clause: "14.3", ObjectedAt: t0.Add(30 * 24 * time.Hour)})
	check := func(stage string) {
		t.Helper()
		p, err := parties.Get(ctx, pool, id)
		if err != nil {
			t.Fatalf("%s: party: %v", stage, err)
		}
		if p.IdentityNumber != "990140000126" || len(p.OrgUnits) != 1 || len(p.Users) != 2 || len(p.Certificates) != 1 {
			t.Fatalf("%s: party %+v", stage, p)
		}
		if p.Users[1].CompromisedAt == nil || p.Users[0].RemovedAt == nil || p.Users[0].PowerOfAttorney.Number != "P1" { // same time: by IIN
			t.Fatalf("%s: users %+v", stage, p.Users)
		}
		proof, err := acceptances.GetProof(ctx, pool, id)
		if err != nil || len(proof.Registration) != 1 || len(proof.Acceptances) != 2 || string(proof.Registration[0].Proofs[0].Evidence) != string(sig) {
			t.Fatalf("%s: proof %+v, %v", stage, proof, err)
		}
		a := proof.Acceptances[0]
		if a.OfferVersion != 1 || len(a.Texts) != 2 || a.Actor != "test" || len(a.DataSHA256) != 64 || !a.AcceptedAt.Equal(t0) {
			t.Fatalf("%s: acceptance %+v", stage, a)
		}
		// Version 2 takes effect at t0+30d: by silence until the party
		// accepts it at t0+40d; the party that objected stays on version 1.
		for _, c := range []struct {
			party   uuid.UUID
			at      time.Time
			version int
			basis   string
		}{
			{id, t0.Add(-time.Second), 0, ""},
			{id, t0, 1, acceptances.BasisAcceptance},
			{id, t0.Add(30*24*time.Hour - time.Second), 1, acceptances.BasisAcceptance},
			{id, t0.Add(35 * 24 * time.Hour), 2, acceptances.BasisSilence},
			{id, t0.Add(40 * 24 * time.Hour), 2, acceptances.BasisAcceptance},
			{objector, t0.Add(35 * 24 * time.Hour), 1, acceptances.BasisAcceptance},
		} {
			in, err := acceptances.At(ctx, pool, c.party, c.at)
			if err != nil {
				t.Fatal(err)
			}
			got, basis := 0, ""
			if len(in.Offers) == 1 {
				got, basis = in.Offers[0].OfferVersion, in.Offers[0].Basis
			}
			if got != c.version || basis != c.basis || len(in.Offers) > 1 {
				t.Fatalf("%s: at %s: %+v, want version %d by %s", stage, c.at, in.Offers, c.version, c.basis)
			}
			if basis == acceptances.BasisSilence && (in.Offers[0].Clause != "2.4" || in.Offers[0].Acceptance.OfferVersion != 1) {
				t.Fatalf("%s: silence: %+v", stage, in.Offers[0])
			}
		}
		in, err := acceptances.At(ctx, pool, other, t0.Add(4*time.Hour))
		if err != nil || in.TerminatedAt == nil || len(in.Offers) != 0 {
			t.Fatalf("%s: after termination: %+v, %v", stage, in, err)
		}
		if _, err := acceptances.At(ctx, pool, uuid.New(), t0); !errors.Is(err, acceptances.ErrNotFound) {
			t.Fatalf("%s: unknown party: %v", stage, err)
		}
		end := time.Date(2029, 3, 2, 19, 0, 0, 0, time.UTC) // 3 March 2029 00:00 in Almaty (UTC+5)
		ts, err := terms.Ending(ctx, pool, t0, end.Add(time.Second), 10)
		i := slices.IndexFunc(ts, func(x terms.Term) bool { return x.PartyID == id })
		if err != nil || len(ts) != 2 || i < 0 || !ts[i].EndsAt.Equal(end) || !ts[i].StartedAt.Equal(t0) || ts[i].Name != "ТОО" {
			t.Fatalf("%s: terms %+v, %v (the terminated party must not be listed; the later acceptance must not restart the term)", stage, ts, err)
		}
		if ts, _ := terms.Ending(ctx, pool, t0, end, 10); len(ts) != 0 {
			t.Fatalf("%s: a term ending at %s listed before it: %+v", stage, end, ts)
		}
	}
	for _, m := range models {
		catchUpAll(t, pool, store, m)
	}
	check("caught up")
	for _, m := range models {
		res, err := projections.Rebuild(ctx, pool, store, m, 2)
		if err != nil || res.Events == 0 {
			t.Fatalf("rebuild %s: %+v, %v", m.Name(), res, err)
		}
	}
	check("rebuilt")
}

// An event for a party the model never saw stops the projection on it.
func TestPartiesStopsOnAnOrphanEvent(t *testing.T) {
	t.Parallel() // its own database
	ctx := context.Background()
	pool, _ := pgtest.NewPool(t)
	store := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(store.Close)
	reg := event.NewRegistry()
	party.Register(reg)
	id := uuid.New()
	env, _ := eventstore.Encode(reg, party.UserRemoved{PartyID: id, UserIIN: "850715400016", RemovedAt: t0})
	env.OccurredAt = t0
	if _, err := store.Append(ctx, party.StreamID(id), eventstore.NoStream, env); err != nil {
		t.Fatal(err)
	}
	if err := store.WaitReadable(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := projections.CatchUp(ctx, pool, store, parties.New(reg), parties.Name, 10, nil, nil)
	var evErr *projections.EventError
	if !errors.As(err, &evErr) || evErr.Type != party.TypeUserRemoved {
		t.Fatalf("got %v, want the orphan event refused", err)
	}
}

// catchUpAll applies every event in the log to m, after waiting until
// every committed event is readable.
func catchUpAll(t *testing.T, pool *pgxpool.Pool, store *pgstore.Store, m projections.Projection) {
	t.Helper()
	ctx := context.Background()
	if err := store.WaitReadable(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := projections.CatchUp(ctx, pool, store, m, m.Name(), 3, nil, nil); err != nil {
		t.Fatal(err)
	}
}
