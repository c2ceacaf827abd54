package app

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/esdbstore"
	"docledger/adapters/pgstore"
	"docledger/eventstore"
)

// The event stores LEDGER_EVENT_STORE selects.
const (
	// StorePostgres keeps the events in PostgreSQL (adapters/pgstore), the
	// database of the read models: the default.
	StorePostgres = "postgres"
	// StoreEventStoreDB keeps the events in the EventStoreDB/KurrentDB node
	// of EVENTSTORE_URL (adapters/esdbstore); the projections, their
	// checkpoints and the rest of ledgerd's tables stay in PostgreSQL.
	StoreEventStoreDB = "eventstoredb"
)

// eventStores lists the valid values of LEDGER_EVENT_STORE.
var eventStores = []string{StorePostgres, StoreEventStoreDB}

// eventStoreFromEnv reads LEDGER_EVENT_STORE and EVENTSTORE_URL into c and
// checks them.
func eventStoreFromEnv(c *Config) error {
	c.EventStore = envOr("LEDGER_EVENT_STORE", StorePostgres)
	c.EventStoreURL = strings.TrimSpace(os.Getenv("EVENTSTORE_URL"))
	return checkEventStore(*c)
}

// checkEventStore refuses an unknown LEDGER_EVENT_STORE and eventstoredb
// without EVENTSTORE_URL, naming the valid choices.
func checkEventStore(c Config) error {
	valid := strings.Join(eventStores, ", ")
	switch c.EventStore {
	case StorePostgres:
		return nil
	case StoreEventStoreDB:
		if c.EventStoreURL == "" {
			return fmt.Errorf("LEDGER_EVENT_STORE=%s needs EVENTSTORE_URL (an EventStoreDB connection string such as esdb://127.0.0.1:2113?tls=false); "+
				"valid event stores: %s", StoreEventStoreDB, valid)
		}
		return nil
	}
	return fmt.Errorf("LEDGER_EVENT_STORE: unknown event store %q; valid event stores: %s", c.EventStore, valid)
}

// OpenStoreFromEnv opens the event store that LEDGER_EVENT_STORE and
// EVENTSTORE_URL select, as ledgerd does, for the operators' tools that
// read the log (ledgerctl events, projections); pool is PostgreSQL's.
func OpenStoreFromEnv(ctx context.Context, pool *pgxpool.Pool) (eventstore.Store, func(), error) {
	var c Config
	if err := eventStoreFromEnv(&c); err != nil {
		return nil, nil, err
	}
	return openStore(ctx, c, pool)
}

// openStore builds the event store cfg selects, on pool for PostgreSQL. The
// returned func releases the store (and the EventStoreDB client) and is
// called once, after the store's last use.
func openStore(_ context.Context, cfg Config, pool *pgxpool.Pool) (eventstore.Store, func(), error) {
	if err := checkEventStore(cfg); err != nil {
		return nil, nil, err
	}
	if cfg.EventStore == StoreEventStoreDB {
		client, err := esdbstore.Connect(cfg.EventStoreURL)
		if err != nil {
			return nil, nil, fmt.Errorf("EVENTSTORE_URL: %w", err)
		}
		s := esdbstore.New(client, esdbstore.Options{})
		return s, func() {
			s.Close()
			_ = client.Close()
		}, nil
	}
	s := pgstore.New(pool, pgstore.Options{})
	return s, s.Close, nil
}
