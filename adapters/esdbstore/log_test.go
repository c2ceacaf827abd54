package esdbstore

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"docledger/eventstore"
)

// These tests cover the pure parts of the log readers, the snapshots and
// the wake-ups; what needs a server is in store_test.go.

func TestHasTypePrefix(t *testing.T) {
	tests := []struct {
		typ      string
		prefixes []string
		want     bool
	}{
		{"party.registered", []string{"party."}, true},
		{"party.registered", []string{"document.", "party.reg"}, true},
		{"partyx.registered", []string{"party."}, false},
		{"document.sent", nil, false},
		{"document.sent", []string{""}, true},
		// Compared literally: no LIKE or regexp metacharacters.
		{"party.registered", []string{"party%"}, false},
		{"party.registered", []string{"part_."}, false},
		{"party.registered", []string{"p.*"}, false},
		{"a%b.x", []string{"a%b."}, true},
	}
	for _, tt := range tests {
		if got := hasTypePrefix(tt.typ, tt.prefixes); got != tt.want {
			t.Errorf("hasTypePrefix(%q, %q) = %v, want %v", tt.typ, tt.prefixes, got, tt.want)
		}
	}
}

func TestStartOf(t *testing.T) {
	if from, err := startOf(0); err != nil || from != (esdb.Start{}) {
		t.Fatalf("startOf(0) = %v, %v; want the start of $all", from, err)
	}
	from, err := startOf(123456)
	if err != nil || from != (esdb.Position{Commit: 123456, Prepare: 123456}) {
		t.Fatalf("startOf(123456) = %v, %v; want the event's own record", from, err)
	}
	if _, err := startOf(-1); !errors.Is(err, eventstore.ErrUnknownPosition) {
		t.Fatalf("startOf(-1): %v, want ErrUnknownPosition", err)
	}
}

func TestPositionOf(t *testing.T) {
	ev := &esdb.RecordedEvent{StreamID: "doc-1", Position: esdb.Position{Commit: 9876, Prepare: 9876}}
	if p, err := positionOf(ev); err != nil || p != 9876 {
		t.Fatalf("positionOf = %d, %v; want the commit position 9876", p, err)
	}
	ev.Position = esdb.Position{Commit: math.MaxInt64 + 1, Prepare: 0}
	if _, err := positionOf(ev); err == nil {
		t.Fatal("a commit position beyond int64 was accepted")
	}
	// A position read back is where the next read starts.
	if from, _ := startOf(9876); from != (esdb.Position{Commit: 9876, Prepare: 9876}) {
		t.Fatalf("startOf(positionOf) = %v", from)
	}
}

func TestSnapshotStream(t *testing.T) {
	if got := snapshotStream("doc-1"); got != "ledger-snapshot-doc-1" {
		t.Fatalf("snapshotStream = %q", got)
	}
	if !strings.HasPrefix(snapshotStream("x"), SnapshotStreamPrefix) || strings.HasPrefix(snapshotStream("x"), "$") {
		t.Fatal("snapshot streams must be ordinary streams with the reserved prefix")
	}
	if !skipInLog(snapshotStream("doc-1"), snapshotType) {
		t.Fatal("readers of the log must skip snapshots")
	}
}

func TestSnapshotMeta(t *testing.T) {
	meta, err := encodeSnapshotMeta(42)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := decodeSnapshotMeta(meta); err != nil || v != 42 {
		t.Fatalf("decode %s = %d, %v", meta, v, err)
	}
	if _, err := encodeSnapshotMeta(0); err == nil {
		t.Fatal("a snapshot at version 0 was accepted")
	}
	for _, bad := range []string{``, `{}`, `{"docledger_snapshot":1}`, `{"docledger_snapshot":2,"version":3}`, `not json`, `{"version":3}`} {
		if _, err := decodeSnapshotMeta([]byte(bad)); !errors.Is(err, ErrIntegrity) {
			t.Errorf("decode %q: %v, want ErrIntegrity", bad, err)
		}
	}
}

// Close without Wake starts nothing; Wake after Close starts no
// subscription and still hands out a channel that appends close.
func TestCloseStopsWake(t *testing.T) {
	c, err := Connect("esdb://127.0.0.1:1?tls=false") // lazy: never dialled here
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := New(c, Options{})
	s.Close()
	s.Wake()
	s.watch.Lock()
	done := s.watch.done
	s.watch.Unlock()
	if done != nil {
		t.Fatal("Wake after Close started a subscription")
	}
	w := s.Wake()
	s.wake.Fire()
	select {
	case <-w:
	default:
		t.Fatal("the wake channel was not closed")
	}
	s.Close() // twice is harmless
}
