// Package storetest is the conformance suite of docledger's event store
// contract (eventstore.Store: Writer, LogReader and Snapshots). Every store
// runs it: the in-memory and PostgreSQL stores always, the EventStoreDB
// store when EVENTSTORE_URL names a live node. Tests use streams and event
// types with a random prefix and ignore foreign events, so they can share a
// server.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"docledger/eventstore"

	"github.com/google/uuid"
)

// Store is the contract the suite checks.
type Store = eventstore.Store

// Run runs the suite; newStore returns a store for one sub-test.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"AppendAndReadStream", testAppendAndReadStream},
		{"ExpectedVersions", testExpectedVersions},
		{"ExactBytesAndHashes", testExactBytes},
		{"Idempotency", testIdempotency},
		{"InvalidEventsWriteNothing", testInvalid},
		{"ReadAllOrderAndLimit", testReadAll},
		{"ConcurrentWritersReaderSeesEachEventOnce", testConcurrentReader},
		{"ReadTypesSkipsOthersAndReportsScanned", testReadTypes},
		{"UnknownPosition", testUnknownPosition},
		{"HeadIsLastReadable", testHead},
		{"WakeOnAppend", testWake},
		{"WaitReadableThenRead", testWaitReadable},
		{"FollowCatchUpThenLive", testFollow},
		{"Snapshots", testSnapshots},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newStore(t)) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func streamName(kind string) string {
	return kind + "-" + strings.ReplaceAll(uuid.NewString(), "-", "")
}

var at = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func ev(typ string, n int) eventstore.Envelope {
	return eventstore.Envelope{
		Type:          typ,
		SchemaVersion: 1,
		Data:          []byte(fmt.Sprintf(`{"n":%d}`, n)),
		Metadata:      []byte(`{"source":"storetest"}`),
		OccurredAt:    at.Add(time.Duration(n) * time.Second),
		Cause:         eventstore.Cause{Actor: "tester"},
	}
}

func mustAppend(t *testing.T, s Store, stream string, expected eventstore.ExpectedVersion, evs ...eventstore.Envelope) eventstore.AppendResult {
	t.Helper()
	res, err := s.Append(ctx(t), stream, expected, evs...)
	if err != nil {
		t.Fatalf("append to %s at %s: %v", stream, expected, err)
	}
	return res
}

func testAppendAndReadStream(t *testing.T, s Store) {
	st := streamName("doc")
	r1 := mustAppend(t, s, st, eventstore.NoStream, ev("test.one", 1), ev("test.two", 2))
	if r1.StreamVersion != 2 || r1.Duplicate || r1.LastPosition <= r1.FirstPosition-1 {
		t.Fatalf("first append result %+v", r1)
	}
	r2 := mustAppend(t, s, st, 2, ev("test.three", 3))
	if r2.StreamVersion != 3 || r2.FirstPosition <= r1.LastPosition {
		t.Fatalf("second append result %+v after %+v", r2, r1)
	}
	recs, err := s.ReadStream(ctx(t), st, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Fatalf("read %d events, want 3", len(recs))
	}
	for i, r := range recs {
		if r.StreamID != st || r.StreamVersion != int64(i+1) || r.ID == uuid.Nil || r.Actor != "tester" {
			t.Fatalf("record %d: %+v", i, r)
		}
		if !r.OccurredAt.Equal(at.Add(time.Duration(i+1) * time.Second)) {
			t.Fatalf("record %d occurred_at %v", i, r.OccurredAt)
		}
		if r.RecordedAt.IsZero() {
			t.Fatalf("record %d has no recorded_at", i)
		}
	}
	if recs[0].Type != "test.one" || recs[2].Type != "test.three" {
		t.Fatalf("types %s..%s", recs[0].Type, recs[2].Type)
	}
	tail, err := s.ReadStream(ctx(t), st, 2)
	if err != nil || len(tail) != 1 || tail[0].StreamVersion != 3 {
		t.Fatalf("read after version 2: %v, %v", tail, err)
	}
	none, err := s.ReadStream(ctx(t), streamName("missing"), 0)
	if err != nil || len(none) != 0 {
		t.Fatalf("read unknown stream: %v, %v", none, err)
	}
}

func testExpectedVersions(t *testing.T, s Store) {
	st := streamName("doc")
	var conflict *eventstore.ConflictError
	// Exact version on a missing stream.
	if _, err := s.Append(ctx(t), st, 3, ev("test.x", 1)); !errors.As(err, &conflict) || conflict.Actual != 0 || !errors.Is(err, eventstore.ErrConflict) {
		t.Fatalf("append at version 3 to a missing stream: %v", err)
	}
	mustAppend(t, s, st, eventstore.Any, ev("test.x", 1))
	if _, err := s.Append(ctx(t), st, eventstore.NoStream, ev("test.x", 2)); !errors.As(err, &conflict) || conflict.Actual != 1 {
		t.Fatalf("no-stream append to an existing stream: %v", err)
	}
	if _, err := s.Append(ctx(t), st, 5, ev("test.x", 2)); !errors.As(err, &conflict) || conflict.Actual != 1 || conflict.Expected != 5 {
		t.Fatalf("append at a wrong version: %v", err)
	}
	if r := mustAppend(t, s, st, eventstore.Any, ev("test.x", 2), ev("test.x", 3)); r.StreamVersion != 3 {
		t.Fatalf("any append gave version %d, want 3", r.StreamVersion)
	}
	recs, _ := s.ReadStream(ctx(t), st, 0)
	if len(recs) != 3 {
		t.Fatalf("stream has %d events after refused appends, want 3", len(recs))
	}
	// Two writers at the same expected version: exactly one wins.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s.Append(ctx(t), st, 3, ev("test.race", i))
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, eventstore.ErrConflict):
			t.Fatalf("racing append: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racing appends at one version succeeded, want 1", won)
	}
}

func testExactBytes(t *testing.T, s Store) {
	st := streamName("doc")
	data := []byte("{\"z\": 1,  \"a\":\t[3, 2, 1], \"\u049b\": \"\u049a\u0430\u0437\u0430\u049b\u0441\u0442\u0430\u043d\"}")
	meta := []byte(`{"b":2,"a":1}`)
	e := ev("test.bytes", 0)
	e.Data, e.Metadata = data, meta
	mustAppend(t, s, st, eventstore.NoStream, e)
	recs, err := s.ReadStream(ctx(t), st, 0)
	if err != nil || len(recs) != 1 {
		t.Fatalf("read: %v %v", recs, err)
	}
	r := recs[0]
	if !bytes.Equal(r.Data, data) || !bytes.Equal(r.Metadata, meta) {
		t.Fatalf("stored bytes changed:\n data %q\n meta %q", r.Data, r.Metadata)
	}
	if r.DataSHA256 != sha256.Sum256(data) || r.MetadataSHA256 != sha256.Sum256(meta) {
		t.Fatal("stored hashes are not the SHA-256 of the appended bytes")
	}
	id := uuid.Must(uuid.NewV7())
	e2 := ev("test.bytes", 1)
	e2.ID = id
	mustAppend(t, s, st, 1, e2)
	recs, _ = s.ReadStream(ctx(t), st, 1)
	if len(recs) != 1 || recs[0].ID != id {
		t.Fatalf("given event id not kept: %v", recs)
	}
}

func testIdempotency(t *testing.T, s Store) {
	st := streamName("doc")
	cmd := "cmd-" + uuid.NewString()
	e := ev("test.once", 1)
	e.CommandID = cmd
	first := mustAppend(t, s, st, eventstore.NoStream, e)
	// The same command again, even at a now-wrong expected version, returns the first result.
	again, err := s.Append(ctx(t), st, eventstore.NoStream, e)
	if err != nil {
		t.Fatalf("repeated command: %v", err)
	}
	if !again.Duplicate || again.StreamVersion != first.StreamVersion || again.LastPosition != first.LastPosition {
		t.Fatalf("repeated command result %+v, first %+v", again, first)
	}
	recs, _ := s.ReadStream(ctx(t), st, 0)
	if len(recs) != 1 || recs[0].CommandID != cmd {
		t.Fatalf("repeated command wrote: %d events", len(recs))
	}
	c, err := s.Command(ctx(t), cmd)
	if err != nil || c.Result.LastPosition != first.LastPosition || c.StreamID != st {
		t.Fatalf("command record %+v, %v", c, err)
	}
	if _, err := s.Command(ctx(t), "cmd-never-"+uuid.NewString()); !errors.Is(err, eventstore.ErrCommandNotFound) {
		t.Fatalf("unknown command: %v", err)
	}
	other := ev("test.once", 2)
	other.CommandID = cmd
	if _, err := s.Append(ctx(t), st, 1, other); !errors.Is(err, eventstore.ErrCommandReused) {
		t.Fatalf("reused command id with another payload: %v", err)
	}
	if recs, _ := s.ReadStream(ctx(t), st, 0); len(recs) != 1 {
		t.Fatalf("reused command id wrote: %d events", len(recs))
	}
	// Concurrent duplicates: one append, every caller the same answer.
	st2 := streamName("doc")
	cmd2 := "cmd-" + uuid.NewString()
	e2 := ev("test.once", 3)
	e2.CommandID = cmd2
	var wg sync.WaitGroup
	results := make([]eventstore.AppendResult, 6)
	errs := make([]error, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.Append(ctx(t), st2, eventstore.Any, e2)
		}()
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil || results[i].LastPosition != results[0].LastPosition {
			t.Fatalf("concurrent duplicate %d: %+v %v (first %+v)", i, results[i], errs[i], results[0])
		}
	}
	if recs, _ := s.ReadStream(ctx(t), st2, 0); len(recs) != 1 {
		t.Fatalf("concurrent duplicates wrote %d events, want 1", len(recs))
	}
}

func testInvalid(t *testing.T, s Store) {
	st := streamName("doc")
	good := ev("test.ok", 1)
	notJSON := ev("test.bad", 2)
	notJSON.Data = []byte("{not json")
	noType := ev("", 3)
	noTime := ev("test.bad", 4)
	noTime.OccurredAt = time.Time{}
	mixed := ev("test.bad", 5)
	mixed.Actor = "someone else"
	cases := map[string][]eventstore.Envelope{
		"no events":       nil,
		"data not JSON":   {good, notJSON},
		"no type":         {good, noType},
		"no occurred_at":  {good, noTime},
		"mixed causes":    {good, mixed},
		"bad schema vers": {{Type: "test.v", SchemaVersion: 0, Data: []byte(`{}`), OccurredAt: at}},
	}
	for name, evs := range cases {
		if _, err := s.Append(ctx(t), st, eventstore.Any, evs...); !errors.Is(err, eventstore.ErrInvalidEvent) {
			t.Errorf("%s: error %v, want ErrInvalidEvent", name, err)
		}
	}
	if _, err := s.Append(ctx(t), "", eventstore.Any, good); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Errorf("empty stream: %v", err)
	}
	if recs, _ := s.ReadStream(ctx(t), st, 0); len(recs) != 0 {
		t.Fatalf("invalid appends wrote %d events", len(recs))
	}
}

// ours keeps the records of streams with prefix, in the order given.
func ours(recs []eventstore.Record, prefix string) []eventstore.Record {
	var out []eventstore.Record
	for _, r := range recs {
		if strings.HasPrefix(r.StreamID, prefix) {
			out = append(out, r)
		}
	}
	return out
}

func readAllFrom(t *testing.T, s Store, after int64, prefix string, want int) []eventstore.Record {
	t.Helper()
	var got []eventstore.Record
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		recs, err := s.ReadAll(ctx(t), after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		got = append(got, ours(recs, prefix)...)
		after = recs[len(recs)-1].Position
	}
	return got
}

func testReadAll(t *testing.T, s Store) {
	prefix := streamName("log") + "-"
	var last eventstore.AppendResult
	for i := 0; i < 5; i++ {
		last = mustAppend(t, s, fmt.Sprintf("%s%d", prefix, i), eventstore.NoStream, ev("test.a", i), ev("test.b", i))
	}
	got := readAllFrom(t, s, 0, prefix, 10)
	if len(got) != 10 {
		t.Fatalf("read %d of our events, want 10", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Position <= got[i-1].Position { // sequential appends: log order is position order
			t.Fatalf("log order broken at %d: %d after %d", i, got[i].Position, got[i-1].Position)
		}
	}
	if got[9].Position != last.LastPosition {
		t.Fatalf("last position %d, append said %d", got[9].Position, last.LastPosition)
	}
	// Continuing from the middle returns the rest.
	rest := readAllFrom(t, s, got[4].Position, prefix, 5)
	if len(rest) != 5 || rest[0].Position != got[5].Position {
		t.Fatalf("read after %d: %d events starting %v", got[4].Position, len(rest), rest)
	}
	// A limit bounds a read.
	if recs, err := s.ReadAll(ctx(t), 0, 3); err != nil || len(recs) != 3 {
		t.Fatalf("limit 3: %d events, %v", len(recs), err)
	}
}

func testConcurrentReader(t *testing.T, s Store) {
	const writers, appends = 16, 40
	prefix := streamName("conc") + "-"
	start, err := s.ReadAll(ctx(t), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	var from int64
	if len(start) > 0 {
		from = start[len(start)-1].Position
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	appended := map[int64]bool{}
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := fmt.Sprintf("%s%d", prefix, w)
			for i := 0; i < appends; i++ {
				evs := []eventstore.Envelope{ev("test.c", i)}
				if i%3 == 0 {
					evs = append(evs, ev("test.c", i))
				}
				res, err := s.Append(ctx(t), st, eventstore.Any, evs...)
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					return
				}
				mu.Lock()
				for p := res.FirstPosition; p <= res.LastPosition; p++ {
					appended[p] = true
				}
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	seen := map[int64]int{}
	after := from
	total := writers * (appends + (appends+2)/3)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		recs, err := s.ReadAll(ctx(t), after, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ours(recs, prefix) {
			seen[r.Position]++
		}
		if len(recs) > 0 {
			after = recs[len(recs)-1].Position
		}
		if len(ours(recs, prefix)) == 0 {
			select {
			case <-done:
				if len(seen) >= total {
					deadline = time.Now()
				}
			default:
			}
			time.Sleep(time.Millisecond)
		}
	}
	<-done
	if len(seen) != total {
		t.Fatalf("reader saw %d distinct events, want %d", len(seen), total)
	}
	for p, n := range seen {
		if n != 1 {
			t.Fatalf("event at position %d seen %d times", p, n)
		}
	}
	// Positions from appends are a subset of what was read, when the store
	// reports contiguous positions per append (PostgreSQL may interleave).
	for p := range seen {
		if !appended[p] {
			t.Fatalf("reader saw position %d that no append reported", p)
		}
	}
}

func testFollow(t *testing.T, s Store) {
	prefix := streamName("sub") + "-"
	for i := 0; i < 3; i++ {
		mustAppend(t, s, fmt.Sprintf("%s%d", prefix, i), eventstore.NoStream, ev("test.before", i))
	}
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	got := make(chan eventstore.Record, 100)
	errc := make(chan error, 1)
	go func() {
		// An hour's poll: only Wake can deliver live events in time.
		errc <- eventstore.Follow(c, s, 0, time.Hour, func(_ context.Context, recs []eventstore.Record) error {
			for _, r := range ours(recs, prefix) {
				got <- r
			}
			return nil
		})
	}()
	recv := func(n int) []eventstore.Record {
		var out []eventstore.Record
		timeout := time.After(30 * time.Second)
		for len(out) < n {
			select {
			case r := <-got:
				out = append(out, r)
			case <-timeout:
				t.Fatalf("follow delivered %d of %d events", len(out), n)
			}
		}
		return out
	}
	caught := recv(3)
	for _, r := range caught {
		if r.Type != "test.before" {
			t.Fatalf("catch-up delivered %s", r.Type)
		}
	}
	for i := 0; i < 4; i++ {
		mustAppend(t, s, fmt.Sprintf("%slive", prefix), eventstore.Any, ev("test.live", i))
	}
	live := recv(4)
	for i, r := range live {
		if r.Type != "test.live" || r.StreamVersion != int64(i+1) {
			t.Fatalf("live event %d: %s v%d", i, r.Type, r.StreamVersion)
		}
	}
	// An error from the handler ends Follow with that error.
	boom := errors.New("boom")
	mustAppend(t, s, fmt.Sprintf("%sstop", prefix), eventstore.NoStream, ev("test.stop", 0))
	err := eventstore.Follow(ctx(t), s, live[3].Position, time.Hour, func(context.Context, []eventstore.Record) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("follow ended with %v, want the handler's error", err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled follow ended with %v", err)
	}
}

// typePrefix is an event-type namespace of one test, so that ReadTypes
// sees no other test's events.
func typePrefix() string { return "t" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12] + "." }

func testReadTypes(t *testing.T, s Store) {
	want, other := typePrefix(), typePrefix()
	if err := s.WaitReadable(ctx(t)); err != nil {
		t.Fatal(err)
	}
	start, _, err := s.Head(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	st := streamName("types")
	var lastAppended int64
	for i := 0; i < 6; i++ {
		typ := other + "skipped"
		if i%2 == 0 {
			typ = want + "kept"
		}
		lastAppended = mustAppend(t, s, st, eventstore.Any, ev(typ, i)).LastPosition
	}
	if err := s.WaitReadable(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var kept []eventstore.Record
	after := start
	for reads := 0; len(ours(kept, st)) < 3; reads++ {
		recs, scanned, err := s.ReadTypes(ctx(t), after, 4, []string{want})
		if err != nil {
			t.Fatal(err)
		}
		if scanned == 0 || reads > 1000 {
			t.Fatalf("ReadTypes after %d scanned nothing with %d of 3 events kept", after, len(kept))
		}
		for _, r := range recs {
			if !strings.HasPrefix(r.Type, want) {
				t.Fatalf("ReadTypes returned %s, want only %s*", r.Type, want)
			}
			if r.Position == scanned && r.Position <= after {
				t.Fatalf("record at %d is not after %d", r.Position, after)
			}
			if len(r.Data) == 0 || r.DataSHA256 != sha256.Sum256(r.Data) {
				t.Fatalf("record at %d lacks its data or hash", r.Position)
			}
		}
		kept = append(kept, recs...)
		after = scanned
	}
	if len(kept) != 3 {
		t.Fatalf("ReadTypes kept %d events, want 3 (of 6 appended)", len(kept))
	}
	for i, r := range kept {
		if r.StreamVersion != int64(2*i+1) {
			t.Fatalf("kept event %d is version %d, want %d", i, r.StreamVersion, 2*i+1)
		}
	}
	// Nothing after the last: no records, nothing scanned.
	if recs, scanned, err := s.ReadTypes(ctx(t), lastAppended, 10, []string{want}); err != nil || len(ours(recs, st)) != 0 {
		t.Fatalf("ReadTypes after the last event: %v %d %v", recs, scanned, err)
	}
	// A prefix with LIKE metacharacters matches literally.
	if recs, _, err := s.ReadTypes(ctx(t), start, 100, []string{strings.TrimSuffix(want, ".") + "%"}); err != nil || len(ours(recs, st)) != 0 {
		t.Fatalf("prefix with %%: %d records, %v", len(ours(recs, st)), err)
	}
}

func testUnknownPosition(t *testing.T, s Store) {
	res := mustAppend(t, s, streamName("pos"), eventstore.NoStream, ev("test.p", 1))
	if err := s.WaitReadable(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAll(ctx(t), res.LastPosition, 10); err != nil {
		t.Fatalf("read after a known position: %v", err)
	}
	bogus := res.LastPosition + 1<<40
	if _, err := s.ReadAll(ctx(t), bogus, 10); !errors.Is(err, eventstore.ErrUnknownPosition) {
		t.Fatalf("ReadAll after an unknown position: %v", err)
	}
	if _, _, err := s.ReadTypes(ctx(t), bogus, 10, []string{"test."}); !errors.Is(err, eventstore.ErrUnknownPosition) {
		t.Fatalf("ReadTypes after an unknown position: %v", err)
	}
}

func testHead(t *testing.T, s Store) {
	before := time.Now()
	res := mustAppend(t, s, streamName("head"), eventstore.NoStream, ev("test.h", 1))
	if err := s.WaitReadable(ctx(t)); err != nil {
		t.Fatal(err)
	}
	head, at, err := s.Head(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if head == 0 || at.IsZero() {
		t.Fatalf("head %d at %v after an append", head, at)
	}
	// Other tests may append concurrently: the head is ours or later, and
	// reading after it returns nothing of ours.
	recs, err := s.ReadAll(ctx(t), head, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Position == res.LastPosition {
			t.Fatalf("head %d is before our readable event %d", head, res.LastPosition)
		}
	}
	if head == res.LastPosition && at.Before(before.Add(-time.Minute)) {
		t.Fatalf("head recorded at %v, before the append at %v", at, before)
	}
}

func testWake(t *testing.T, s Store) {
	woken := s.Wake()
	mustAppend(t, s, streamName("wake"), eventstore.NoStream, ev("test.w", 1))
	select {
	case <-woken:
	case <-time.After(10 * time.Second):
		t.Fatal("an append did not close the Wake channel taken before it")
	}
}

func testWaitReadable(t *testing.T, s Store) {
	prefix := streamName("ready") + "-"
	var wg sync.WaitGroup
	positions := make([]int64, 8)
	for i := range positions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			positions[i] = mustAppend(t, s, fmt.Sprintf("%s%d", prefix, i), eventstore.NoStream, ev("test.r", i)).LastPosition
		}()
	}
	wg.Wait()
	if err := s.WaitReadable(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// Everything committed before WaitReadable is readable now, in one pass.
	var got []eventstore.Record
	var after int64
	for {
		recs, err := s.ReadAll(ctx(t), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			break
		}
		got = append(got, ours(recs, prefix)...)
		after = recs[len(recs)-1].Position
	}
	if len(got) != len(positions) {
		t.Fatalf("after WaitReadable one pass read %d of our %d events", len(got), len(positions))
	}
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if err := s.WaitReadable(c); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitReadable with a cancelled context: %v", err)
	}
}

func testSnapshots(t *testing.T, s Store) {
	st := streamName("snap")
	if _, _, err := s.LoadSnapshot(ctx(t), st); !errors.Is(err, eventstore.ErrNoSnapshot) {
		t.Fatalf("load without a snapshot: %v", err)
	}
	if err := s.SaveSnapshot(ctx(t), st, 10, []byte(`{"v":10}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(ctx(t), st, 20, []byte(`{"v":20}`)); err != nil {
		t.Fatal(err)
	}
	// An older snapshot never replaces a newer one.
	if err := s.SaveSnapshot(ctx(t), st, 15, []byte(`{"v":15}`)); err != nil {
		t.Fatal(err)
	}
	state, version, err := s.LoadSnapshot(ctx(t), st)
	if err != nil || version != 20 || string(state) != `{"v":20}` {
		t.Fatalf("load: %s at %d, %v; want the version-20 snapshot", state, version, err)
	}
	if _, _, err := s.LoadSnapshot(ctx(t), streamName("snap")); !errors.Is(err, eventstore.ErrNoSnapshot) {
		t.Fatalf("another stream's snapshot: %v", err)
	}
}
