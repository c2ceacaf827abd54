package projections

import (
	"context"
	"fmt"
	"time"

	"docledger/eventstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RebuildResult says what a rebuild did.
type RebuildResult struct {
	Events   int
	Position int64
	Duration time.Duration
}

// Rebuild replays the whole log into a fresh copy of p's schema and swaps it
// in. The copy is built beside the live model (same tables, indexes and
// constraints: CREATE TABLE ... LIKE ... INCLUDING ALL) while the live model
// keeps serving; the swap takes the live checkpoint's lock, applies the last
// events, renames the two schemas and drops the old one in one transaction,
// so a reader sees either the old model or the complete new one.
func Rebuild(ctx context.Context, pool *pgxpool.Pool, log eventstore.LogReader, p Projection, batch int) (RebuildResult, error) {
	start := time.Now()
	live := p.Name()
	next := live + "_next"
	if batch <= 0 {
		batch = 5000
	}
	if err := createShadow(ctx, pool, p, live, next); err != nil {
		return RebuildResult{}, err
	}
	n, err := CatchUp(ctx, pool, log, p, next, batch, nil, nil)
	if err != nil {
		return RebuildResult{Events: n}, fmt.Errorf("rebuild %s: %w", live, err)
	}
	// Events already committed but not yet readable (an older transaction
	// of the cluster still runs) are waited for, a while, so that the
	// rebuilt model has everything committed before the rebuild; later ones
	// the live runner applies.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = log.WaitReadable(waitCtx)
	cancel()
	if err != nil && ctx.Err() != nil {
		return RebuildResult{Events: n}, fmt.Errorf("rebuild %s: %w", live, ctx.Err())
	}
	m, err := CatchUp(ctx, pool, log, p, next, batch, nil, nil)
	n += m
	if err != nil {
		return RebuildResult{Events: n}, fmt.Errorf("rebuild %s: %w", live, err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return RebuildResult{}, err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck
	// Stop the live runners: they lock the live checkpoint for every batch.
	if _, err := tx.Exec(ctx, "LOCK TABLE "+Table(live, "checkpoint")+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild %s: lock live model: %w", live, err)
	}
	for {
		var from int64
		if err := tx.QueryRow(ctx, "SELECT position FROM "+Table(next, "checkpoint")).Scan(&from); err != nil {
			return RebuildResult{}, err
		}
		events, last, err := read(ctx, log, p, from, batch)
		if err != nil {
			return RebuildResult{}, err
		}
		if last == 0 {
			break
		}
		if err := apply(ctx, tx, p, next, events); err != nil {
			return RebuildResult{}, fmt.Errorf("rebuild %s: %w", live, err)
		}
		if _, err := tx.Exec(ctx, "UPDATE "+Table(next, "checkpoint")+" SET position = $1, updated_at = statement_timestamp()", last); err != nil {
			return RebuildResult{}, err
		}
		n += len(events)
	}
	var pos int64
	if err := tx.QueryRow(ctx, "SELECT position FROM "+Table(next, "checkpoint")).Scan(&pos); err != nil {
		return RebuildResult{}, err
	}
	old := pgx.Identifier{live + "_old"}.Sanitize()
	for _, stmt := range []string{
		"DROP SCHEMA IF EXISTS " + old + " CASCADE",
		"ALTER SCHEMA " + pgx.Identifier{live}.Sanitize() + " RENAME TO " + old,
		"ALTER SCHEMA " + pgx.Identifier{next}.Sanitize() + " RENAME TO " + pgx.Identifier{live}.Sanitize(),
		"DROP SCHEMA " + old + " CASCADE",
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return RebuildResult{}, fmt.Errorf("rebuild %s: swap: %w", live, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return RebuildResult{}, fmt.Errorf("rebuild %s: swap: %w", live, err)
	}
	return RebuildResult{Events: n, Position: pos, Duration: time.Since(start)}, nil
}

func createShadow(ctx context.Context, pool *pgxpool.Pool, p Projection, live, next string) error {
	stmts := []string{
		"DROP SCHEMA IF EXISTS " + pgx.Identifier{next}.Sanitize() + " CASCADE",
		"CREATE SCHEMA " + pgx.Identifier{next}.Sanitize(),
	}
	for _, t := range append([]string{"checkpoint"}, p.Tables()...) {
		stmts = append(stmts, "CREATE TABLE "+Table(next, t)+" (LIKE "+Table(live, t)+" INCLUDING ALL)")
	}
	stmts = append(stmts, "INSERT INTO "+Table(next, "checkpoint")+" (position) VALUES (0)")
	for _, s := range stmts {
		if _, err := pool.Exec(ctx, s); err != nil {
			return fmt.Errorf("rebuild %s: prepare fresh tables: %w", live, err)
		}
	}
	return nil
}

// Status is a read model's progress.
type Status struct {
	Projection string    `json:"projection"`
	Position   int64     `json:"position"`
	UpdatedAt  time.Time `json:"updated_at"`
	Head       int64     `json:"head"`
	LagEvents  int64     `json:"lag_events"`
}

// ReadStatus returns p's checkpoint against the head of the log.
func ReadStatus(ctx context.Context, pool *pgxpool.Pool, log eventstore.LogReader, p Projection) (Status, error) {
	s := Status{Projection: p.Name()}
	if err := pool.QueryRow(ctx, "SELECT position, updated_at FROM "+Table(p.Name(), "checkpoint")).Scan(&s.Position, &s.UpdatedAt); err != nil {
		return s, fmt.Errorf("status of %s: %w", p.Name(), err)
	}
	head, _, err := log.Head(ctx)
	if err != nil {
		return s, err
	}
	s.Head = head
	if head > s.Position {
		s.LagEvents = head - s.Position
	}
	return s, nil
}
