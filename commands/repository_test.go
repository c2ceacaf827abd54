package commands_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/commands"
	"docledger/domain"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/eventstore/memstore"
)

// forged serves a tampered copy of every snapshot it loads.
type forged struct{ eventstore.Snapshots }

func (f forged) LoadSnapshot(ctx context.Context, stream string) ([]byte, int64, error) {
	state, version, err := f.Snapshots.LoadSnapshot(ctx, stream)
	return []byte(strings.Replace(string(state), `"sent"`, `"delivered"`, 1)), version, err
}

// The snapshot hook: a document loads from its latest snapshot plus the
// events after it.
func TestSnapshotHook(t *testing.T) {
	store := memstore.New(nil)
	reg := event.NewRegistry()
	document.Register(reg)
	clock := domain.ClockFunc(func() time.Time { return now })
	newRepo := func(snapshots eventstore.Snapshots) *commands.Repository[*document.Document] {
		r, err := commands.NewRepository(commands.RepositoryConfig[*document.Document]{
			Store: store, Registry: reg, Clock: clock, Snapshots: snapshots, SnapshotEvery: 2,
			New: func(id string) *document.Document { return document.New(uuid.MustParse(id)) },
		})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	repo := newRepo(store)
	ctx := context.Background()
	id := uuid.New()
	steps := []func(d *document.Document, now time.Time) error{
		func(d *document.Document, now time.Time) error {
			return d.Register(document.Registration{SenderParty: "a", RecipientParty: "b", Kind: document.KindLetter, Title: "t", ContentSHA256: hash}, now)
		},
		func(d *document.Document, now time.Time) error { return d.Send(now) },
	}
	for _, step := range steps {
		if _, err := repo.Update(ctx, commands.Meta{}, id.String(), step); err != nil {
			t.Fatal(err)
		}
	}
	_, version, err := store.LoadSnapshot(ctx, document.StreamID(id))
	if err != nil || version != 2 {
		t.Fatalf("snapshot after 2 events: version %d, %v", version, err)
	}
	// Loaded with and without the snapshot, the state is the same.
	a, err := repo.Load(ctx, id.String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := newRepo(nil).Load(ctx, id.String())
	if err != nil {
		t.Fatal(err)
	}
	if a.Status() != document.StatusSent || b.Status() != document.StatusSent || a.Version() != 2 || b.Version() != 2 {
		t.Fatalf("with snapshot %s v%d, without %s v%d", a.Status(), a.Version(), b.Status(), b.Version())
	}
	// The snapshot is what a load starts from: a forged one shows through.
	if _, err := newRepo(forged{store}).Update(ctx, commands.Meta{}, id.String(), func(d *document.Document, now time.Time) error { return d.Deliver(now) }); !errors.Is(err, document.ErrAlreadyDelivered) {
		t.Fatalf("deliver on the forged snapshot: %v, want ErrAlreadyDelivered", err)
	}
	if _, err := newRepo(nil).Update(ctx, commands.Meta{}, id.String(), func(d *document.Document, now time.Time) error { return d.Deliver(now) }); err != nil {
		t.Fatalf("deliver replaying the whole stream: %v", err)
	}
}

// The request fingerprint in Meta is what the store keeps with the command
// ID.
func TestRepositoryStoresTheFingerprint(t *testing.T) {
	store := memstore.New(nil)
	reg := event.NewRegistry()
	document.Register(reg)
	repo, err := commands.NewRepository(commands.RepositoryConfig[*document.Document]{
		Store: store, Registry: reg, Clock: domain.ClockFunc(func() time.Time { return now }),
		New: func(id string) *document.Document { return document.New(uuid.MustParse(id)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	meta := commands.Meta{CommandID: "c-1", RequestSHA256: []byte("0123456789abcdef0123456789abcdef")}
	if _, err := repo.Create(ctx, meta, uuid.NewString(), func(d *document.Document, now time.Time) error {
		return d.Register(document.Registration{SenderParty: "a", RecipientParty: "b", Kind: document.KindLetter, Title: "t", ContentSHA256: hash}, now)
	}); err != nil {
		t.Fatal(err)
	}
	rec, err := store.Command(ctx, "c-1")
	if err != nil || string(rec.RequestSHA256) != string(meta.RequestSHA256) {
		t.Fatalf("command record %+v, %v", rec, err)
	}
}
