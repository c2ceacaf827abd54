// Package projections keeps docledger's read models: plain PostgreSQL tables
// built from the global event log.
//
// Each read model lives in its own schema (named after it) with a checkpoint
// table. A Runner reads the log from the checkpoint and applies a batch of
// events to the model's tables in the same transaction as the new
// checkpoint, so each event takes effect exactly once. Rebuild replays the
// log from zero into a fresh copy of the schema and swaps it in atomically,
// so readers never see a half-built model. A projection that fails on an
// event stops at that event and reports its position; it never skips it.
package projections

import (
	"context"
	"fmt"

	"docledger/eventstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Projection is one read model.
type Projection interface {
	// Name is the read model's name and the schema its tables live in.
	Name() string
	// Tables are the model's tables in its schema, besides "checkpoint".
	Tables() []string
	// Apply applies events, in log order, to the tables in schema within tx.
	// An event it cannot apply is reported as an *EventError.
	Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error
}

// Selective is implemented by a projection that applies only events whose
// type starts with one of EventTypes' prefixes ("party.", "document.sent"):
// its runner reads only those, and moves its checkpoint past the others.
type Selective interface {
	EventTypes() []string
}

// read returns up to limit events for p after position from, and the
// position its checkpoint moves to when they are applied (0: nothing new).
func read(ctx context.Context, log eventstore.LogReader, p Projection, from int64, limit int) ([]eventstore.Record, int64, error) {
	if s, ok := p.(Selective); ok {
		return log.ReadTypes(ctx, from, limit, s.EventTypes())
	}
	events, err := log.ReadAll(ctx, from, limit)
	if err != nil || len(events) == 0 {
		return nil, 0, err
	}
	return events, events[len(events)-1].Position, nil
}

// EventError is a projection's failure on one event.
type EventError struct {
	Projection string
	Position   int64
	Type       string
	Err        error
}

func (e *EventError) Error() string {
	return fmt.Sprintf("projection %s: event at position %d (%s): %v", e.Projection, e.Position, e.Type, e.Err)
}

func (e *EventError) Unwrap() error { return e.Err }

// Table is the quoted name of table in schema.
func Table(schema, table string) string { return pgx.Identifier{schema, table}.Sanitize() }

// InSnapshot runs read, a query of several tables of read models, in one
// read-only REPEATABLE READ transaction, so that it sees the models as a
// committed batch left them, never half-way between two batches (an
// acceptance proof read table by table could otherwise show a termination
// but not the objection applied in the same batch).
func InSnapshot[T any](ctx context.Context, pool *pgxpool.Pool, read func(tx pgx.Tx) (T, error)) (T, error) {
	var out T
	err := pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		out, err = read(tx)
		return err
	})
	return out, err
}

// Collect runs a query of a read model with one argument and scans every
// row with scan (pgx.CollectRows): an empty result is an empty slice.
func Collect[T any](ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, sql string, arg any, scan pgx.RowToFunc[T]) ([]T, error) {
	rows, err := db.Query(ctx, sql, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}
