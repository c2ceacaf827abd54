package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"docledger/adapters/pg"
	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/eventstore"
	"docledger/eventstore/storetest"
)

func newStore(t *testing.T) *pgstore.Store {
	pool, _ := pgtest.NewPool(t)
	s := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel() // its own database
	storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
}

// The application role may only read and append: UPDATE, DELETE and
// TRUNCATE are refused, and even the owner is stopped by the trigger.
func TestEventsAreAppendOnly(t *testing.T) {
	t.Parallel() // its own database
	pool, adminURL := pgtest.NewPool(t)
	s := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(s.Close)
	ctx := context.Background()
	if _, err := s.Append(ctx, "doc-1", eventstore.NoStream, eventstore.Envelope{Type: "test.x", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at}); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE events SET event_type = 'forged'",
		"DELETE FROM events",
		"TRUNCATE events",
	} {
		if _, err := pool.Exec(ctx, stmt); err == nil {
			t.Errorf("application role: %s succeeded", stmt)
		}
	}
	owner := pgtest.Connect(t, adminURL)
	for _, stmt := range []string{
		"UPDATE events SET event_type = 'forged'",
		"DELETE FROM events",
		"TRUNCATE events",
	} {
		_, err := owner.Exec(ctx, stmt)
		if err == nil || !containsCode(err, "DLA01") {
			t.Errorf("owner: %s: %v, want the append-only trigger's refusal", stmt, err)
		}
	}
	var n int
	var typ string
	if err := pool.QueryRow(ctx, "SELECT count(*), min(event_type) FROM events").Scan(&n, &typ); err != nil || n != 1 || typ != "test.x" {
		t.Fatalf("events after refused changes: %d %q %v", n, typ, err)
	}
}

// ReadTypes returns only the wanted types, continues past the others, and
// treats the prefixes as text (no LIKE wildcards).
func TestReadTypes(t *testing.T) {
	t.Parallel() // its own database
	s := newStore(t)
	ctx := context.Background()
	types := []string{"doc.sent", "party.offer_accepted", "doc.sent", "party.offerXaccepted", "party.offer_accepted", "doc.sent", "doc.sent"}
	var want []int64
	var lastAppended int64
	for i, typ := range types {
		res, err := s.Append(ctx, fmt.Sprintf("s-%d", i), eventstore.NoStream, eventstore.Envelope{Type: typ, SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if typ == "party.offer_accepted" {
			want = append(want, res.LastPosition)
		}
		lastAppended = res.LastPosition
	}
	var got []int64
	var after int64
	reads := 0
	started := time.Now()
	for {
		recs, last, err := s.ReadTypes(ctx, after, 2, []string{"party.offer_accepted"})
		if err != nil {
			t.Fatal(err)
		}
		if last == 0 {
			if len(recs) != 0 {
				t.Fatalf("events without a scanned position: %v", recs)
			}
			if after == lastAppended {
				break
			}
			if time.Since(started) > 30*time.Second {
				t.Fatalf("read up to %d, appended up to %d", after, lastAppended)
			}
			// Another test's transaction may hide our events for a moment.
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if last <= after {
			t.Fatalf("read after %d moved to %d", after, last)
		}
		for _, r := range recs {
			if r.Type != "party.offer_accepted" || len(r.Data) == 0 || r.DataSHA256 == ([32]byte{}) {
				t.Fatalf("unwanted or empty record %+v", r)
			}
			got = append(got, r.Position)
		}
		after = last
		reads++
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("read %v, want %v", got, want)
	}
	if reads < 4 { // 7 events, at most 2 scanned per read
		t.Fatalf("%d reads, want at least 4", reads)
	}
	if _, _, err := s.ReadTypes(ctx, 1<<40, 2, []string{"doc."}); !errors.Is(err, eventstore.ErrUnknownPosition) {
		t.Fatalf("unknown position: %v", err)
	}
}

// A subscriber in another process is woken by NOTIFY, not by polling: its
// store polls once an hour, yet it sees an append through another store at
// once.
func TestSubscriberWokenByNotify(t *testing.T) {
	t.Parallel() // its own database
	pool, dsn := pgtest.NewPool(t)
	writer := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(writer.Close)
	other, err := pg.Connect(context.Background(), pg.Config{URL: dsn, Role: pg.DefaultRole})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	reader := pgstore.New(other, pgstore.Options{})
	t.Cleanup(reader.Close)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan eventstore.Record, 10)
	go eventstore.Follow(ctx, reader, 0, time.Hour, func(_ context.Context, recs []eventstore.Record) error {
		for _, r := range recs {
			got <- r
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond) // the reader has caught up (nothing) and waits
	for i := 0; i < 3; i++ {
		if _, err := writer.Append(context.Background(), fmt.Sprintf("n-%d", i), eventstore.NoStream,
			eventstore.Envelope{Type: "test.n", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at}); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-got:
			if r.StreamID != fmt.Sprintf("n-%d", i) {
				t.Fatalf("got %s", r.StreamID)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("append %d did not reach the other store's subscriber", i)
		}
	}
}

// An event committed after an older transaction began stays invisible to
// readers until that transaction ends (so no reader can skip it); a reader
// that found nothing is woken when it is released, and WaitReadable waits
// for it.
func TestEventsHeldBackByAnOlderTransaction(t *testing.T) {
	t.Parallel() // its own database
	pool, _ := pgtest.NewPool(t)
	s := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(s.Close)
	ctx := context.Background()
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, "SELECT pg_current_xact_id()"); err != nil { // takes an xid
		t.Fatal(err)
	}
	res, err := s.Append(ctx, "held-1", eventstore.NoStream, eventstore.Envelope{Type: "test.h", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at})
	if err != nil {
		t.Fatal(err)
	}
	woken := s.Wake()
	recs, err := s.ReadAll(ctx, 0, 10)
	if err != nil || len(recs) != 0 {
		t.Fatalf("read while an older transaction runs: %v %v", recs, err)
	}
	readable := make(chan error, 1)
	go func() { readable <- s.WaitReadable(ctx) }()
	select {
	case err := <-readable:
		t.Fatalf("WaitReadable returned (%v) while the older transaction still runs", err)
	case <-time.After(300 * time.Millisecond):
	}
	// The append woke readers once already; take a fresh channel: the
	// release must wake it by itself (no append, no notification).
	<-woken
	woken = s.Wake()
	if recs, err := s.ReadAll(ctx, 0, 10); err != nil || len(recs) != 0 {
		t.Fatalf("second read while held: %v %v", recs, err)
	}
	if err := holder.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(10 * time.Second):
		t.Fatal("the release of the held-back event woke no reader")
	}
	select {
	case err := <-readable:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitReadable did not return after the older transaction ended")
	}
	if recs, err = s.ReadAll(ctx, 0, 10); err != nil || len(recs) != 1 || recs[0].Position != res.LastPosition {
		t.Fatalf("after WaitReadable: %v %v", recs, err)
	}
}
