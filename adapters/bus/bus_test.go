package bus_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/bus"
	"docledger/adapters/pg"
	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/commands"
	"docledger/domain"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/internal/eventually"
)

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type env struct {
	bus   *bus.Bus
	store *pgstore.Store
	pool  *pgxpool.Pool
	reg   *event.Registry
}

// newEnv runs a bus on transport over a fresh database; extra registers
// test-only handlers before the bus starts.
func newEnv(t testing.TB, transport string, extra func(*env) error) *env {
	t.Helper()
	pool, dsn := pgtest.NewPool(t)
	store := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(store.Close)
	reg := event.NewRegistry()
	document.Register(reg)
	tc := bus.TransportConfig{Name: transport, NATSURL: os.Getenv("NATS_URL")}
	if transport == bus.TransportSQL {
		admin, err := pg.Connect(context.Background(), pg.Config{URL: dsn})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(admin.Close)
		tc.Pool = admin
	}
	b, err := bus.NewBus(bus.Config{Transport: tc, PoisonPool: pool, ReplyTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{bus: b, store: store, pool: pool, reg: reg}
	clock := domain.ClockFunc(func() time.Time { return now })
	if err := commands.RegisterDocumentHandlers(b, commands.DocumentDeps{Store: store, Registry: reg, Clock: clock, Cache: commands.NewStreamCache(1000)}); err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		if err := extra(e); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		b.Close()
		<-done
	})
	select {
	case <-b.Running():
	case <-time.After(30 * time.Second):
		t.Fatal("bus did not start")
	}
	return e
}

func registerCmd(id uuid.UUID) *commands.RegisterDocument {
	return &commands.RegisterDocument{DocumentID: id, SenderParty: "BIN990140000123", RecipientParty: "IIN900101300123",
		Kind: document.KindInvoice, Title: "Invoice 7", ContentSHA256: hash}
}

func TestCommandPath(t *testing.T) {
	t.Parallel() // its own database
	for _, transport := range []string{bus.TransportGoChannel, bus.TransportSQL, bus.TransportNATS} {
		t.Run(transport, func(t *testing.T) {
			if transport == bus.TransportNATS && os.Getenv("NATS_URL") == "" {
				t.Skip("NATS_URL not set: the NATS JetStream transport runs against a live server only (e.g. NATS_URL=nats://127.0.0.1:4222)")
			}
			e := newEnv(t, transport, nil)
			ctx := context.Background()
			id := uuid.New()
			meta := commands.Meta{Actor: "user:IIN900101300123", CommandID: "reg-" + id.String()}
			r1, err := e.bus.Send(ctx, meta, registerCmd(id))
			if err != nil {
				t.Fatal(err)
			}
			if r1.StreamVersion != 1 || r1.Position == 0 || r1.StreamID != document.StreamID(id) {
				t.Fatalf("register result %+v", r1)
			}
			r2, err := e.bus.Send(ctx, commands.Meta{}, &commands.SendDocument{DocumentID: id})
			if err != nil || r2.StreamVersion != 2 || r2.Position <= r1.Position {
				t.Fatalf("send result %+v, %v", r2, err)
			}
			// A domain refusal comes back typed, and writes nothing.
			_, err = e.bus.Send(ctx, commands.Meta{}, &commands.SendDocument{DocumentID: id})
			if !errors.Is(err, document.ErrAlreadySent) {
				t.Fatalf("second send: %v, want ErrAlreadySent", err)
			}
			r3, err := e.bus.Send(ctx, commands.Meta{}, &commands.DeliverDocument{DocumentID: id})
			if err != nil || r3.StreamVersion != 3 {
				t.Fatalf("deliver result %+v, %v", r3, err)
			}
			recs, _ := e.store.ReadStream(ctx, document.StreamID(id), 0)
			if len(recs) != 3 || recs[0].Actor != "user:IIN900101300123" || recs[0].CommandID != meta.CommandID || recs[0].CorrelationID == "" {
				t.Fatalf("stored events: %+v", recs)
			}
			// The same command ID again: the first result, nothing written.
			again, err := e.bus.Send(ctx, meta, registerCmd(id))
			if err != nil || !again.Duplicate || again.Position != r1.Position || again.StreamVersion != 1 {
				t.Fatalf("repeated command: %+v, %v", again, err)
			}
			// The same command ID with another payload: refused.
			other := registerCmd(id)
			other.Title = "Another"
			if _, err := e.bus.Send(ctx, meta, other); !errors.Is(err, commands.ErrIdempotencyKeyReused) {
				t.Fatalf("reused key: %v", err)
			}
			if recs, _ := e.store.ReadStream(ctx, document.StreamID(id), 0); len(recs) != 3 {
				t.Fatalf("refused commands wrote: %d events", len(recs))
			}
		})
	}
}

// Many clients at once, several on the same documents: every command gets
// its own answer and each document ends with exactly its three events.
func TestConcurrentCommands(t *testing.T) {
	t.Parallel() // its own database
	e := newEnv(t, bus.TransportGoChannel, nil)
	ctx := context.Background()
	ids := make([]uuid.UUID, 20)
	for i := range ids {
		ids[i] = uuid.New()
		if _, err := e.bus.Send(ctx, commands.Meta{}, registerCmd(ids[i])); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	sent, refused := 0, 0
	for c := 0; c < 60; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.bus.Send(ctx, commands.Meta{}, &commands.SendDocument{DocumentID: ids[c%len(ids)]})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				sent++
			case errors.Is(err, document.ErrAlreadySent):
				refused++
			default:
				t.Errorf("send: %v", err)
			}
		}()
	}
	wg.Wait()
	if sent != len(ids) || refused != 60-len(ids) {
		t.Fatalf("sent %d, refused %d; want %d and %d", sent, refused, len(ids), 60-len(ids))
	}
	for _, id := range ids {
		if recs, _ := e.store.ReadStream(ctx, document.StreamID(id), 0); len(recs) != 2 {
			t.Fatalf("document %s has %d events, want 2", id, len(recs))
		}
	}
}

// A stale cached state is caught by the expected version: the command is
// decided again on the current state.
func TestStaleCacheIsCorrected(t *testing.T) {
	t.Parallel() // its own database
	e := newEnv(t, bus.TransportGoChannel, nil)
	ctx := context.Background()
	id := uuid.New()
	if _, err := e.bus.Send(ctx, commands.Meta{}, registerCmd(id)); err != nil {
		t.Fatal(err)
	}
	// Another instance sends the document behind this one's cache.
	env, _ := eventstore.Encode(e.reg, document.Sent{DocumentID: id, SentAt: now})
	env.OccurredAt = now
	if _, err := e.store.Append(ctx, document.StreamID(id), 1, env); err != nil {
		t.Fatal(err)
	}
	res, err := e.bus.Send(ctx, commands.Meta{}, &commands.DeliverDocument{DocumentID: id})
	if err != nil || res.StreamVersion != 3 {
		t.Fatalf("deliver on a stale cache: %+v, %v", res, err)
	}
	if _, err := e.bus.Send(ctx, commands.Meta{}, &commands.SendDocument{DocumentID: id}); !errors.Is(err, document.ErrAlreadySent) {
		t.Fatalf("send after a foreign send: %v", err)
	}
}

// failing is a test command whose handler fails in ways the domain does not
// know, to exercise retries and the poison queue.
type failing struct {
	ID   string `json:"id"`
	Mode string `json:"mode"`
}

func (f failing) AggregateID() string { return f.ID }

func TestFailuresGoToThePoisonQueue(t *testing.T) {
	t.Parallel() // its own database
	var e *env
	attempts := 0
	e = newEnv(t, bus.TransportGoChannel, func(e2 *env) error {
		repo, err := commands.NewRepository(commands.RepositoryConfig[*document.Document]{
			Store: e2.store, Registry: e2.reg, Clock: domain.ClockFunc(func() time.Time { return now }),
			New:   func(id string) *document.Document { return document.New(uuid.MustParse(id)) },
			Retry: commands.RetryPolicy{Attempts: 3, BaseDelay: time.Millisecond},
		})
		if err != nil {
			return err
		}
		return commands.Handle(e2.bus, e2.store, func(ctx context.Context, meta commands.Meta, c *failing) (commands.Result, error) {
			if c.Mode == "broken" {
				return commands.Result{}, errors.New("disk on fire")
			}
			// "conflict": every attempt, someone else appends first.
			return repo.Update(ctx, meta, c.ID, func(d *document.Document, now time.Time) error {
				attempts++
				id := uuid.MustParse(c.ID)
				env, _ := eventstore.Encode(e2.reg, document.Sent{DocumentID: id, SentAt: now})
				env.OccurredAt = now
				if _, err := e2.store.Append(ctx, document.StreamID(id), eventstore.Any, env); err != nil {
					return err
				}
				d.Record(document.Delivered{DocumentID: id, DeliveredAt: now}) // a change that always conflicts
				return nil
			})
		})
	})
	ctx := context.Background()
	if _, err := e.bus.Send(ctx, commands.Meta{CommandID: "broken-1"}, &failing{ID: "x", Mode: "broken"}); !errors.Is(err, commands.ErrInternal) {
		t.Fatalf("broken handler: %v, want ErrInternal", err)
	}
	id := uuid.New()
	if _, err := e.bus.Send(ctx, commands.Meta{CommandID: "conflict-1"}, &failing{ID: id.String(), Mode: "conflict"}); !errors.Is(err, commands.ErrConcurrency) {
		t.Fatalf("conflicting handler: %v, want ErrConcurrency", err)
	}
	if attempts != 3 {
		t.Fatalf("conflicting command tried %d times, want 3", attempts)
	}
	var reasons []string
	eventually.True(t, "both commands in the poison queue", func() bool {
		rows, err := e.pool.Query(ctx, `SELECT reason FROM poisoned_commands WHERE metadata->>'command_id' IN ('broken-1', 'conflict-1') ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		reasons, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return len(reasons) == 2
	})
	if len(reasons) != 2 || reasons[0] == "" || reasons[1] == "" {
		t.Fatalf("poisoned commands: %q", reasons)
	}
	// A domain refusal is an answer, not a failure: it is not poisoned.
	if _, err := e.bus.Send(ctx, commands.Meta{CommandID: "refused-1"}, &commands.SendDocument{DocumentID: uuid.New()}); !errors.Is(err, document.ErrNotRegistered) {
		t.Fatalf("send unknown: %v", err)
	}
	var n int
	e.pool.QueryRow(ctx, `SELECT count(*) FROM poisoned_commands WHERE metadata->>'command_id' = 'refused-1'`).Scan(&n)
	if n != 0 {
		t.Fatal("a domain refusal was poisoned")
	}
}

// One handler per command: a second registration, or one whose name is not
// its command's, is refused.
func TestAddRefusesBadRegistrations(t *testing.T) {
	t.Parallel() // its own database
	newEnv(t, bus.TransportGoChannel, func(e *env) error {
		if err := commands.RegisterDocumentHandlers(e.bus, commands.DocumentDeps{Store: e.store, Registry: e.reg,
			Clock: domain.ClockFunc(func() time.Time { return now })}); err == nil {
			t.Error("the document handlers were registered twice")
		}
		r := commands.Register(func(context.Context, commands.Meta, *failing) (commands.Result, error) { return commands.Result{}, nil })
		r.Name = "Failing"
		if err := e.bus.Add(r); err == nil {
			t.Error("a registration named after another command was taken")
		}
		if err := e.bus.Add(commands.Registration{Name: "failing"}); err == nil {
			t.Error("an incomplete registration was taken")
		}
		return nil
	})
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel() // its own database
	e := newEnv(t, bus.TransportGoChannel, nil)
	if _, err := e.bus.Send(context.Background(), commands.Meta{}, &failing{ID: "x"}); !errors.Is(err, commands.ErrUnknownCommand) {
		t.Fatalf("unknown command: %v", err)
	}
}
