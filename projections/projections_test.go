package projections_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/internal/eventually"
	"docledger/projections"
	"docledger/projections/inbox"
	"docledger/projections/parties"
	"docledger/query"
)

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	pool  *pgxpool.Pool
	admin string // the database's URL as the admin user
	store *pgstore.Store
	reg   *event.Registry
	proj  *inbox.Projection
}

func newFixture(t *testing.T) *fixture {
	pool, admin := pgtest.NewPool(t)
	store := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(store.Close)
	reg := event.NewRegistry()
	document.Register(reg)
	return &fixture{pool: pool, admin: admin, store: store, reg: reg, proj: inbox.New(reg)}
}

func (f *fixture) append(t *testing.T, id uuid.UUID, expected eventstore.ExpectedVersion, ps ...event.Payload) {
	t.Helper()
	envs := make([]eventstore.Envelope, len(ps))
	for i, p := range ps {
		env, err := eventstore.Encode(f.reg, p)
		if err != nil {
			t.Fatal(err)
		}
		env.OccurredAt = t0
		envs[i] = env
	}
	if _, err := f.store.Append(context.Background(), document.StreamID(id), expected, envs...); err != nil {
		t.Fatal(err)
	}
}

// waitVisible waits until every committed event is readable: another
// test's transaction in the same cluster may hold the newest back a moment.
func (f *fixture) waitVisible(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.store.WaitReadable(ctx); err != nil {
		t.Fatalf("committed events to become readable: %v", err)
	}
}

func registered(id uuid.UUID, recipient string, i int) document.Registered {
	return document.Registered{DocumentID: id, SenderParty: "BIN990140000123", RecipientParty: recipient,
		Kind: document.KindInvoice, Title: fmt.Sprintf("Invoice %d", i), ContentSHA256: hash,
		RegisteredAt: t0.Add(time.Duration(i) * time.Minute)}
}

func (f *fixture) runner(t *testing.T, batch int) (*projections.Runner, chan error) {
	r, err := projections.NewRunner(projections.RunnerConfig{Pool: f.pool, Log: f.store, Projection: f.proj, Batch: batch, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return r, done
}

func TestRunnerBuildsInbox(t *testing.T) {
	t.Parallel() // its own database
	f := newFixture(t)
	party := "IIN900101300123"
	ids := make([]uuid.UUID, 5)
	for i := range ids {
		ids[i] = uuid.New()
		f.append(t, ids[i], eventstore.NoStream, registered(ids[i], party, i))
	}
	f.append(t, ids[0], 1, document.Sent{DocumentID: ids[0], SentAt: t0}, document.Delivered{DocumentID: ids[0], RecipientParty: party, DeliveredAt: t0.Add(time.Hour)})
	other := uuid.New()
	f.append(t, other, eventstore.NoStream, registered(other, "IIN000000000000", 9))
	f.runner(t, 2)

	ctx := context.Background()
	eventually.True(t, "the inbox", func() bool {
		p, err := inbox.Query(ctx, f.pool, party, "", 10)
		return err == nil && len(p.Documents) == 5 && p.Documents[4].Status == "delivered"
	})
	// Keyset pagination: 2 + 2 + 1, newest first, no overlap.
	var seen []uuid.UUID
	cursor := ""
	for page := 0; ; page++ {
		p, err := inbox.Query(ctx, f.pool, party, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Documents {
			seen = append(seen, d.DocumentID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("pages gave %v, want newest (%s) to oldest (%s)", seen, ids[4], ids[0])
	}
	if _, err := inbox.Query(ctx, f.pool, party, "not-a-cursor", 2); !errors.Is(err, inbox.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	// One document by id, with its stream's version.
	d, err := inbox.Get(ctx, f.pool, ids[0])
	if err != nil || d.Status != "delivered" || d.StreamVersion != 3 || d.SenderParty != "BIN990140000123" ||
		d.SentAt == nil || d.DeliveredAt == nil || !d.DeliveredAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("document %s: %+v, %v", ids[0], d, err)
	}
	if d, err := inbox.Get(ctx, f.pool, ids[1]); err != nil || d.Status != "registered" || d.StreamVersion != 1 {
		t.Fatalf("document %s: %+v, %v", ids[1], d, err)
	}
	if _, err := inbox.Get(ctx, f.pool, uuid.New()); !errors.Is(err, query.ErrDocumentNotFound) {
		t.Fatalf("unknown document: %v", err)
	}
	// The sender's outbox holds every document it sent, to any recipient,
	// paged the same way.
	out, err := inbox.Outbox(ctx, f.pool, "BIN990140000123", "", 4)
	if err != nil || len(out.Documents) != 4 || out.Next == "" || out.Documents[0].DocumentID != other {
		t.Fatalf("outbox page 1: %+v, %v", out, err)
	}
	if out, err = inbox.Outbox(ctx, f.pool, "BIN990140000123", out.Next, 4); err != nil || len(out.Documents) != 2 || out.Next != "" {
		t.Fatalf("outbox page 2: %+v, %v", out, err)
	}
	if out, err = inbox.Outbox(ctx, f.pool, party, "", 4); err != nil || len(out.Documents) != 0 {
		t.Fatalf("a recipient's outbox: %+v, %v", out, err)
	}
	// Live: a new document shows up.
	late := uuid.New()
	f.append(t, late, eventstore.NoStream, registered(late, party, 20))
	eventually.True(t, "the live event", func() bool {
		p, _ := inbox.Query(ctx, f.pool, party, "", 1)
		return len(p.Documents) == 1 && p.Documents[0].DocumentID == late
	})
	st, err := projections.ReadStatus(ctx, f.pool, f.store, f.proj)
	if err != nil || st.Position != st.Head || st.LagEvents != 0 {
		t.Fatalf("status %+v, %v", st, err)
	}
}

// A projection that cannot apply an event stops there, keeps everything
// before it, and names the event.
func TestRunnerStopsOnAFailingEvent(t *testing.T) {
	t.Parallel() // its own database
	f := newFixture(t)
	party := "IIN900101300123"
	good := uuid.New()
	f.append(t, good, eventstore.NoStream, registered(good, party, 1))
	// A delivery for a document the inbox has never seen registered.
	ghost := uuid.New()
	f.append(t, ghost, eventstore.NoStream, document.Delivered{DocumentID: ghost, RecipientParty: party, DeliveredAt: t0})
	after := uuid.New()
	f.append(t, after, eventstore.NoStream, registered(after, party, 2))
	ghostRecs, _ := f.store.ReadStream(context.Background(), document.StreamID(ghost), 0)

	r, done := f.runner(t, 100)
	var err error
	select {
	case err = <-done:
		done <- err // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("runner did not stop")
	}
	var evErr *projections.EventError
	if !errors.As(err, &evErr) || evErr.Position != ghostRecs[0].Position || evErr.Type != document.TypeDelivered {
		t.Fatalf("runner stopped with %v, want the failing event at %d", err, ghostRecs[0].Position)
	}
	if r.Err() == nil {
		t.Fatal("runner does not report its error")
	}
	var cp int64
	f.pool.QueryRow(context.Background(), "SELECT position FROM inbox.checkpoint").Scan(&cp)
	goodRecs, _ := f.store.ReadStream(context.Background(), document.StreamID(good), 0)
	if cp != goodRecs[0].Position {
		t.Fatalf("checkpoint at %d, want %d (just before the failing event)", cp, goodRecs[0].Position)
	}
	p, _ := inbox.Query(context.Background(), f.pool, party, "", 10)
	if len(p.Documents) != 1 || p.Documents[0].DocumentID != good {
		t.Fatalf("inbox after failure: %+v", p.Documents)
	}
}

// Rebuild replays into fresh tables and swaps them in: a reader sees the old
// model or the whole new one, never a part.
func TestRebuildSwapsAtomically(t *testing.T) {
	t.Parallel() // its own database
	f := newFixture(t)
	ctx := context.Background()
	party := "IIN900101300123"
	const n = 3000
	for i := 0; i < n; i++ {
		id := uuid.New()
		f.append(t, id, eventstore.NoStream, registered(id, party, i))
	}
	f.waitVisible(t)
	if _, err := projections.CatchUp(ctx, f.pool, f.store, f.proj, inbox.Name, 500, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Damage the live model so the swap is visible.
	if _, err := f.pool.Exec(ctx, "DELETE FROM inbox.documents WHERE title LIKE 'Invoice 1%'"); err != nil {
		t.Fatal(err)
	}
	var damaged int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents").Scan(&damaged)

	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad atomic.Int64
	var reads atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			var c int
			if err := f.pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents").Scan(&c); err != nil {
				continue // the old table may vanish between parse and execution
			}
			reads.Add(1)
			if c != damaged && c != n {
				bad.Store(int64(c))
			}
		}
	}()
	res, err := projections.Rebuild(ctx, f.pool, f.store, f.proj, 200)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != n {
		t.Fatalf("rebuild applied %d events, want %d", res.Events, n)
	}
	if bad.Load() != 0 {
		t.Fatalf("a reader saw %d documents during the rebuild (old %d, new %d)", bad.Load(), damaged, n)
	}
	if reads.Load() == 0 {
		t.Fatal("the reader never read")
	}
	var c int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents").Scan(&c)
	if c != n {
		t.Fatalf("after rebuild %d documents, want %d", c, n)
	}
	var schemas int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'inbox%'").Scan(&schemas)
	if schemas != 1 {
		t.Fatalf("%d inbox schemas after the swap, want 1", schemas)
	}
	// The rebuilt table keeps the outbox's index and the stream versions.
	var senderIdx, versioned int
	f.pool.QueryRow(ctx, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'inbox' AND indexdef LIKE '%(sender_party, registered_at DESC, document_id DESC)%'").Scan(&senderIdx)
	f.pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents WHERE stream_version = 1").Scan(&versioned)
	if senderIdx != 1 || versioned != n {
		t.Fatalf("after rebuild: %d sender indexes, %d documents at version 1 (want 1, %d)", senderIdx, versioned, n)
	}
	// The live runner goes on from the rebuilt checkpoint.
	f.runner(t, 100)
	id := uuid.New()
	f.append(t, id, eventstore.NoStream, registered(id, party, n+1))
	eventually.True(t, "the event after the rebuild", func() bool {
		var c int
		f.pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents").Scan(&c)
		return c == n+1
	})
}

// A projection that skips every event (here: the parties model, which
// applies only party events, over a log of document events) still moves its
// checkpoint to the head, without a transaction per read.
func TestSkippingRunnerReachesTheHead(t *testing.T) {
	t.Parallel() // its own database
	f := newFixture(t)
	for i := 0; i < 30; i++ {
		id := uuid.New()
		f.append(t, id, eventstore.NoStream, registered(id, "IIN900101300123", i))
	}
	party := parties.New(f.reg)
	r, err := projections.NewRunner(projections.RunnerConfig{Pool: f.pool, Log: f.store, Projection: party, Batch: 7, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	eventually.True(t, "the skipping runner's checkpoint at the head", func() bool {
		st, err := projections.ReadStatus(context.Background(), f.pool, f.store, party)
		return err == nil && st.Head > 0 && st.Position == st.Head
	})
	var n int
	f.pool.QueryRow(context.Background(), "SELECT count(*) FROM parties.parties").Scan(&n)
	if n != 0 {
		t.Fatalf("%d parties from document events", n)
	}
}

// killing is a projection that, for its first kills batches, applies the
// first event, then has its own database connection terminated (as a
// failover or a network reset would) before it applies the rest.
type killing struct {
	projections.Projection
	admin *pgx.Conn // may terminate the runner's connections
	kills atomic.Int32
}

func (k *killing) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	if k.kills.Load() <= 0 || len(events) < 2 {
		return k.Projection.Apply(ctx, tx, schema, events)
	}
	k.kills.Add(-1)
	if err := k.Projection.Apply(ctx, tx, schema, events[:1]); err != nil {
		return err
	}
	var pid int
	if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		return err
	}
	if _, err := k.admin.Exec(ctx, "SELECT pg_terminate_backend($1, 10000)", pid); err != nil {
		return fmt.Errorf("terminate the batch's connection: %w", err)
	}
	err := k.Projection.Apply(ctx, tx, schema, events[1:])
	return err
}

// A database fault in the middle of a batch is retried with backoff: the
// projection does not stop, and every event is applied exactly once.
func TestRunnerRetriesAfterTheConnectionDiesMidBatch(t *testing.T) {
	t.Parallel() // its own database
	f := newFixture(t)
	party := "IIN900101300123"
	var last int64
	for i := 0; i < 6; i++ {
		id := uuid.New()
		f.append(t, id, eventstore.NoStream, registered(id, party, i))
		recs, _ := f.store.ReadStream(context.Background(), document.StreamID(id), 0)
		last = recs[0].Position
	}
	f.waitVisible(t)
	admin, err := pgx.Connect(context.Background(), f.admin)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	k := &killing{Projection: f.proj, admin: admin}
	k.kills.Store(2)
	r, err := projections.NewRunner(projections.RunnerConfig{Pool: f.pool, Log: f.store, Projection: k, Batch: 100,
		Poll: 20 * time.Millisecond, RetryMin: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	var cp int64
	eventually.True(t, "the checkpoint at the last event", func() bool {
		return f.pool.QueryRow(context.Background(), "SELECT position FROM inbox.checkpoint").Scan(&cp) == nil && cp == last
	})
	if err := r.Err(); err != nil {
		t.Fatalf("the runner stopped on a database fault: %v", err)
	}
	if n := k.kills.Load(); n != 0 {
		t.Fatalf("%d planned connection kills did not happen", n)
	}
	var rows int
	if err := f.pool.QueryRow(context.Background(), "SELECT count(*) FROM inbox.documents WHERE recipient_party = $1", party).Scan(&rows); err != nil || rows != 6 {
		t.Fatalf("inbox holds %d documents (%v), want each of the 6 once", rows, err)
	}
}

func TestTransient(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "57P01"}, true},
		{&pgconn.PgError{Code: "40001"}, true},
		{&pgconn.PgError{Code: "08006"}, true},
		{&pgconn.PgError{Code: "57014"}, true},
		{fmt.Errorf("apply: %w", io.ErrUnexpectedEOF), true},
		{&pgconn.PgError{Code: "23505"}, false}, // a unique violation is the events' fault
		{&pgconn.PgError{Code: "22P02"}, false},
		{errors.New("decode document.sent: unexpected end of JSON input"), false},
		{context.Canceled, false},
		{nil, false},
	} {
		if got := projections.Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
