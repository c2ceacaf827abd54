package esdbstore

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"docledger/eventstore"
	"docledger/eventstore/storetest"
)

// TestEventStoreDB runs the conformance suite, and the cases peculiar to this
// store, against the live node in EVENTSTORE_URL. These machines have no
// EventStoreDB server and no test imitates one, so without EVENTSTORE_URL
// the test says so and skips; the pure mapping is tested in mapping_test.go.
func TestEventStoreDB(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	if url == "" {
		t.Skip("EVENTSTORE_URL not set: no EventStoreDB/KurrentDB node to run the conformance suite against " +
			"(start one with --insecure and set EVENTSTORE_URL='esdb://127.0.0.1:2113?tls=false'; see docs/eventstoredb.md)")
	}
	c, err := Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })

	t.Run("Conformance", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storetest.Store {
			s := New(c, Options{})
			t.Cleanup(s.Close)
			return s
		})
	})
	// After a lost command record, a retry is found by the search of the
	// stream's latest events (at the first attempt's version or at the new
	// head), by ESDB's own deduplication (at the first attempt's version,
	// search off), or by the search after a conflict (search off).
	t.Run("LostRecordRetrySameVersion", func(t *testing.T) { testRetryAfterLostRecord(t, c, Options{}, eventstore.NoStream, true) })
	t.Run("LostRecordRetryAtNewHead", func(t *testing.T) { testRetryAfterLostRecord(t, c, Options{}, 1, true) })
	t.Run("LostRecordRetryESDBDedup", func(t *testing.T) {
		testRetryAfterLostRecord(t, c, Options{CommandScanDepth: -1}, eventstore.NoStream, false)
	})
	t.Run("LostRecordRetryAfterConflict", func(t *testing.T) {
		testRetryAfterLostRecord(t, c, Options{CommandScanDepth: -1}, 5, true)
	})
	t.Run("EnvelopeIDKeptUnderCommand", func(t *testing.T) { testEnvelopeIDKept(t, c) })
	t.Run("UnknownPosition", func(t *testing.T) { testUnknownPosition(t, c) })
	t.Run("WakeOnAnotherStoresAppend", func(t *testing.T) { testWakeBySubscription(t, c) })
	t.Run("BookkeepingStreamsStayOutOfTheLog", func(t *testing.T) { testBookkeepingHidden(t, c) })
}

func liveCtx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func liveStream() string { return "doc-" + strings.ReplaceAll(uuid.NewString(), "-", "") }

func liveEnvelope(cmd string, n int) eventstore.Envelope {
	return eventstore.Envelope{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          "test.live",
		SchemaVersion: 1,
		Data:          []byte(`{"n":` + strings.Repeat("1", n) + `}`),
		Metadata:      []byte(" {\"padded\": true}\n"),
		OccurredAt:    time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		Cause:         eventstore.Cause{Actor: "tester", CommandID: cmd},
	}
}

// A process that died after its command's events committed but before the
// command's record: the retry at expected writes nothing and returns the
// first attempt's result (Duplicate as wantDuplicate: when ESDB's own
// deduplication answers, this store cannot tell and reports a fresh append),
// and a different payload under the same command ID is then refused.
func testRetryAfterLostRecord(t *testing.T, c *esdb.Client, opts Options, expected eventstore.ExpectedVersion, wantDuplicate bool) {
	s := New(c, opts)
	ctx := liveCtx(t)
	st := liveStream()
	cmd := "cmd-" + uuid.NewString()
	e := liveEnvelope(cmd, 1)

	// The first attempt's events, exactly as Append writes them, and no record.
	fp := requestFingerprint(st, []eventstore.Envelope{e})
	meta, err := encodeMetadata(e, e.ID, metadataBytes(e.Metadata), fp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AppendToStream(ctx, st, esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, esdb.EventData{
		EventID: esdbEventID(cmd, 0, e.ID), EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Command(ctx, cmd); !errors.Is(err, eventstore.ErrCommandNotFound) {
		t.Fatalf("command recorded before the retry: %v", err)
	}

	retry := e
	retry.ID = uuid.Must(uuid.NewV7()) // a retry builds new envelopes
	res, err := s.Append(ctx, st, expected, retry)
	if err != nil {
		t.Fatalf("retry at %s: %v", expected, err)
	}
	if res.Duplicate != wantDuplicate || res.StreamVersion != 1 {
		t.Fatalf("retry result %+v, want the first append's (duplicate: %v)", res, wantDuplicate)
	}
	recs, err := s.ReadStream(ctx, st, 0)
	if err != nil || len(recs) != 1 || recs[0].ID != e.ID || string(recs[0].Metadata) != string(e.Metadata) {
		t.Fatalf("stream after the retry: %+v, %v", recs, err)
	}
	if rec, err := s.Command(ctx, cmd); err != nil || rec.Result.LastPosition != res.LastPosition || rec.StreamID != st {
		t.Fatalf("command record after the retry: %+v, %v", rec, err)
	}
	if _, err := s.Append(ctx, st, 1, liveEnvelope(cmd, 2)); !errors.Is(err, eventstore.ErrCommandReused) {
		t.Fatalf("other payload under the same command: %v", err)
	}
	if recs, _ := s.ReadStream(ctx, st, 0); len(recs) != 1 {
		t.Fatalf("stream has %d events, want 1", len(recs))
	}
}

// An envelope's own ID is what readers get, also when a command ID made the
// store derive the ID that EventStoreDB deduplicates on.
func testEnvelopeIDKept(t *testing.T, c *esdb.Client) {
	s := New(c, Options{})
	ctx := liveCtx(t)
	st := liveStream()
	e := liveEnvelope("cmd-"+uuid.NewString(), 3)
	if _, err := s.Append(ctx, st, eventstore.NoStream, e); err != nil {
		t.Fatal(err)
	}
	recs, err := s.ReadStream(ctx, st, 0)
	if err != nil || len(recs) != 1 || recs[0].ID != e.ID {
		t.Fatalf("read %+v, %v; want id %s", recs, err, e.ID)
	}
}

func testUnknownPosition(t *testing.T, c *esdb.Client) {
	s := New(c, Options{})
	ctx := liveCtx(t)
	res, err := s.Append(ctx, liveStream(), eventstore.NoStream, liveEnvelope("", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadAll(ctx, res.LastPosition, 1); err != nil {
		t.Fatalf("read after an event's position: %v", err)
	}
	for _, p := range []int64{res.LastPosition + 1, 1 << 60} {
		if _, err := s.ReadAll(ctx, p, 1); !errors.Is(err, eventstore.ErrUnknownPosition) {
			t.Errorf("read after position %d: %v, want ErrUnknownPosition", p, err)
		}
		if _, _, err := s.ReadTypes(ctx, p, 1, []string{"test."}); !errors.Is(err, eventstore.ErrUnknownPosition) {
			t.Errorf("read types after position %d: %v, want ErrUnknownPosition", p, err)
		}
	}
}

// An append through another Store (as by another process) reaches this
// store's readers only through the $all subscription that Wake starts.
func testWakeBySubscription(t *testing.T, c *esdb.Client) {
	reader, writer := New(c, Options{}), New(c, Options{})
	t.Cleanup(reader.Close)
	t.Cleanup(writer.Close)
	ctx := liveCtx(t)
	reader.Wake()                                // starts the subscription
	deadline := time.Now().Add(30 * time.Second) // the subscription is live a moment after the first Wake
	for {
		woken := reader.Wake()
		if _, err := writer.Append(ctx, liveStream(), eventstore.NoStream, liveEnvelope("", 1)); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
			return
		case <-time.After(time.Second):
			if time.Now().After(deadline) {
				t.Fatal("another store's appends never woke this store's readers")
			}
		}
	}
}

// Command records and snapshots are events of $all, but no reader of the
// log sees them and Head skips them.
func testBookkeepingHidden(t *testing.T, c *esdb.Client) {
	s := New(c, Options{})
	t.Cleanup(s.Close)
	ctx := liveCtx(t)
	st := liveStream()
	res, err := s.Append(ctx, st, eventstore.NoStream, liveEnvelope("cmd-"+uuid.NewString(), 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSnapshot(ctx, st, 1, []byte("not json, a snapshot")); err != nil {
		t.Fatal(err)
	}
	recs, scanned, err := s.ReadTypes(ctx, res.LastPosition, 1000, []string{""})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if strings.HasPrefix(r.StreamID, CommandStreamPrefix) || strings.HasPrefix(r.StreamID, SnapshotStreamPrefix) {
			t.Fatalf("ReadTypes returned bookkeeping event %s of %s", r.Type, r.StreamID)
		}
	}
	if scanned <= res.LastPosition {
		t.Fatalf("ReadTypes scanned up to %d, not past the command record and snapshot after %d", scanned, res.LastPosition)
	}
	if head, _, err := s.Head(ctx); err != nil || head < res.LastPosition {
		t.Fatalf("head %d, %v; want at least %d", head, err, res.LastPosition)
	} else if head != res.LastPosition {
		// Other tests may append concurrently; the head is a docledger event.
		if all, err := s.ReadAll(ctx, res.LastPosition, 1000); err != nil || len(all) == 0 || all[len(all)-1].Position < head {
			t.Fatalf("head %d is not a docledger event after %d: %v %v", head, res.LastPosition, all, err)
		}
	}
	state, version, err := s.LoadSnapshot(ctx, st)
	if err != nil || version != 1 || string(state) != "not json, a snapshot" {
		t.Fatalf("snapshot %q at %d, %v", state, version, err)
	}
	evs, err := s.readStreamRaw(ctx, "$$"+snapshotStream(st), esdb.Backwards, esdb.End{}, 1)
	if err != nil || len(evs) != 1 || !strings.Contains(string(evs[0].Data), `"$maxCount":1`) {
		t.Fatalf("snapshot stream metadata: %v, %v", evs, err)
	}
}
