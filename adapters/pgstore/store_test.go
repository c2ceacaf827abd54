package pgstore_test

import (
	"context"
	"testing"

	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/adapters/storetest"
	"docledger/domain/event"
)

func newStore(t *testing.T) *pgstore.Store {
	pool, _ := pgtest.NewPool(t)
	s := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(s.Close)
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return newStore(t) })
}

// The application role may only read and append: UPDATE, DELETE and
// TRUNCATE are refused, and even the owner is stopped by the trigger.
func TestEventsAreAppendOnly(t *testing.T) {
	pool, adminURL := pgtest.NewPool(t)
	s := pgstore.New(pool, pgstore.Options{})
	t.Cleanup(s.Close)
	ctx := context.Background()
	if _, err := s.Append(ctx, "doc-1", event.NoStream, event.Envelope{Type: "test.x", SchemaVersion: 1, Data: []byte(`{}`), OccurredAt: at}); err != nil {
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
