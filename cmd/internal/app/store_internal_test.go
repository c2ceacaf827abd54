package app

import (
	"context"
	"strings"
	"testing"

	"docledger/adapters/esdbstore"
)

// openStore builds the EventStoreDB store for eventstoredb. The client
// dials on first use, so no node is needed to build it; running ledgerd on
// a live node is TestEndToEndOnEventStoreDB's (EVENTSTORE_URL).
func TestOpenStoreEventStoreDB(t *testing.T) {
	s, closeStore, err := openStore(context.Background(), Config{EventStore: StoreEventStoreDB, EventStoreURL: "esdb://127.0.0.1:1?tls=false"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*esdbstore.Store); !ok {
		t.Fatalf("store is %T, want *esdbstore.Store", s)
	}
	closeStore()

	_, _, err = openStore(context.Background(), Config{EventStore: StoreEventStoreDB, EventStoreURL: "http://not-esdb"}, nil)
	if err == nil || !strings.Contains(err.Error(), "EVENTSTORE_URL") {
		t.Fatalf("a bad EVENTSTORE_URL: %v", err)
	}
	_, _, err = openStore(context.Background(), Config{EventStore: "sqlite"}, nil)
	if err == nil || !strings.Contains(err.Error(), "postgres, eventstoredb") {
		t.Fatalf("an unknown store: %v", err)
	}
}
