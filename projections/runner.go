package projections

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"docledger/eventstore"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// RunnerConfig configures a Runner.
type RunnerConfig struct {
	Pool       *pgxpool.Pool
	Log        eventstore.LogReader
	Projection Projection
	// Batch is the most events applied in one transaction (default 1000).
	Batch int
	// Poll is the fallback interval between reads when no wake-up comes (default 250ms).
	Poll time.Duration
	// Gather is how long the runner lets new events gather after a wake-up
	// before it reads them (default 10ms): fewer, larger transactions under
	// load, for a few milliseconds of lag.
	Gather time.Duration
	// IdleGather replaces Gather after a read that found only events the
	// projection skips (default 50ms): a read model whose events are rare
	// does not re-scan the log at every append of others.
	IdleGather time.Duration
	// RetryMin and RetryMax bound the pause before a batch that failed on a
	// database fault (see Transient) is tried again: it starts at RetryMin
	// (default 50ms) and doubles up to RetryMax (default 5s).
	RetryMin, RetryMax time.Duration
	Metrics            *Metrics
	Logger             *slog.Logger
	// OnApplied, when set, is called after each committed batch (benchmarks
	// use it to measure lag per event).
	OnApplied func(events []eventstore.Record, committedAt time.Time)
}

// Runner keeps one read model up to date with the log.
type Runner struct {
	cfg RunnerConfig
	mu  sync.Mutex
	err error
}

// NewRunner returns a runner; it refuses missing dependencies.
func NewRunner(cfg RunnerConfig) (*Runner, error) {
	switch {
	case cfg.Pool == nil:
		return nil, errors.New("projection runner: nil pool")
	case cfg.Log == nil:
		return nil, errors.New("projection runner: nil event log")
	case cfg.Projection == nil:
		return nil, errors.New("projection runner: nil projection")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 1000
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 250 * time.Millisecond
	}
	if cfg.Gather <= 0 {
		cfg.Gather = 10 * time.Millisecond
	}
	if cfg.IdleGather <= 0 {
		cfg.IdleGather = 50 * time.Millisecond
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 50 * time.Millisecond
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(5*time.Second, cfg.RetryMin)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Runner{cfg: cfg}, nil
}

// Err is the error the runner stopped on, if it stopped on one.
func (r *Runner) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Run applies new events until ctx ends (returning nil) or the projection
// fails on an event (returning its *EventError, checkpoint left before it).
// Database and network faults (Transient), while reading the log or applying
// a batch, are retried with backoff: they never stop the projection.
func (r *Runner) Run(ctx context.Context) error {
	name := r.cfg.Projection.Name()
	log := r.cfg.Logger.With("projection", name)
	poll := time.NewTicker(r.cfg.Poll)
	defer poll.Stop()
	var cur cursor
	retry := time.Duration(0) // the pause before retrying after a database fault
	for {
		woken := r.cfg.Log.Wake() // taken before the read, so that no wake-up is lost
		scannedBefore := cur.scanned
		applied, err := catchUp(ctx, r.cfg.Pool, r.cfg.Log, r.cfg.Projection, name, r.cfg.Batch, r.cfg.Metrics, r.cfg.OnApplied, &cur)
		var evErr *EventError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &evErr):
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
			r.cfg.Metrics.failed(name, true)
			log.Error("projection stopped on an event it cannot apply", "position", evErr.Position, "type", evErr.Type, "err", evErr.Err)
			return err
		case err != nil:
			// A database or network fault: retry with a growing pause.
			retry = min(max(2*retry, r.cfg.RetryMin), r.cfg.RetryMax)
			r.cfg.Metrics.retried(name)
			log.Warn("projection: database fault, will retry", "in", retry, "err", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(retry):
			}
			continue
		default:
			retry = 0
		}
		// A read that only skipped others' events lets new ones gather
		// longer (a model whose events are rare does not re-scan the log at
		// every append); one that found nothing readable (all applied, or
		// held back by an older transaction until the store wakes us) reads
		// again soon after the next wake-up.
		gather := r.cfg.Gather
		if applied == 0 && cur.scanned != scannedBefore {
			gather = r.cfg.IdleGather
		}
		select {
		case <-ctx.Done():
			return nil
		case <-woken:
		case <-poll.C:
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(gather):
		}
	}
}

// CatchUp applies events to the model in schema until none are left or a
// batch fails, and returns how many it applied. Each batch commits with its
// checkpoint. When a batch fails, its events are applied one by one so that
// every event before the failing one is kept and the failing one is named.
func CatchUp(ctx context.Context, pool *pgxpool.Pool, log eventstore.LogReader, p Projection, schema string, batch int, m *Metrics, onApplied func([]eventstore.Record, time.Time)) (int, error) {
	return catchUp(ctx, pool, log, p, schema, batch, m, onApplied, &cursor{})
}

func catchUp(ctx context.Context, pool *pgxpool.Pool, log eventstore.LogReader, p Projection, schema string, batch int, m *Metrics, onApplied func([]eventstore.Record, time.Time), cur *cursor) (int, error) {
	total := 0
	for {
		n, progressed, err := applyBatch(ctx, pool, log, p, schema, batch, m, onApplied, cur)
		total += n
		var evErr *EventError
		if errors.As(err, &evErr) && batch > 1 {
			// Find the failing event: one event per transaction.
			for {
				n, progressed, err = applyBatch(ctx, pool, log, p, schema, 1, m, onApplied, cur)
				total += n
				if err != nil || !progressed {
					return total, err
				}
			}
		}
		if err != nil || !progressed {
			return total, err
		}
	}
}

// cursor is where a runner is in the log. persisted is the checkpoint in
// the database; scanned may be ahead of it by events the projection skips
// (Selective): moving past those is written at most once per
// skipPersistInterval, or with the next batch that applies anything,
// instead of a transaction per read. After a crash the skipped events are
// scanned again, which changes nothing.
type cursor struct {
	known       bool
	persisted   int64
	scanned     int64
	persistedAt time.Time
}

// skipPersistInterval bounds how often a runner that only skips events
// writes its checkpoint.
const skipPersistInterval = time.Second

// applyBatch applies at most limit events after the checkpoint in one
// transaction with the checkpoint, and says how many it applied and whether
// the log had anything new (events the projection skips move its checkpoint
// too). A concurrent runner that moved the checkpoint first makes it apply
// nothing, and counts as progress: the next read starts from the new one.
func applyBatch(ctx context.Context, pool *pgxpool.Pool, log eventstore.LogReader, p Projection, schema string, limit int, m *Metrics, onApplied func([]eventstore.Record, time.Time), cur *cursor) (int, bool, error) {
	checkpoint := Table(schema, "checkpoint")
	if !cur.known {
		var from int64
		if err := pool.QueryRow(ctx, "SELECT position FROM "+checkpoint).Scan(&from); err != nil {
			return 0, false, fmt.Errorf("read checkpoint of %s: %w", schema, err)
		}
		*cur = cursor{known: true, persisted: from, scanned: from}
	}
	events, last, err := read(ctx, log, p, cur.scanned, limit)
	if err != nil {
		cur.known = false
		return 0, false, fmt.Errorf("read log: %w", err)
	}
	m.observe(ctx, p.Name(), log, cur.scanned, events)
	progressed := last != 0
	switch {
	case !progressed && (cur.scanned == cur.persisted || time.Since(cur.persistedAt) < skipPersistInterval):
		return 0, false, nil
	case !progressed:
		last = cur.scanned // nothing new: write down the events skipped so far
	case len(events) == 0 && time.Since(cur.persistedAt) < skipPersistInterval:
		cur.scanned = last
		return 0, true, nil
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback(context.Background()) //nolint:errcheck
	// A read model is rebuilt from the log at will, and its rows commit with
	// their checkpoint: a crash that loses the last projection commits loses
	// both together, and the events are applied again. So projection commits
	// need not wait for the WAL flush that appends wait for.
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return 0, false, err
	}
	var locked int64
	if err := tx.QueryRow(ctx, "SELECT position FROM "+checkpoint+" FOR UPDATE").Scan(&locked); err != nil {
		return 0, false, fmt.Errorf("lock checkpoint of %s: %w", schema, err)
	}
	if locked != cur.persisted {
		cur.known = false
		return 0, true, nil // another runner applied these; read again
	}
	if err := apply(ctx, tx, p, schema, events); err != nil {
		if Transient(err) {
			// The database failed, not the events: nothing of the batch
			// committed; the runner reads and applies it again.
			cur.known = false
			return 0, false, fmt.Errorf("apply batch after %d (will retry): %v", cur.persisted, err)
		}
		var evErr *EventError
		if errors.As(err, &evErr) {
			return 0, false, err
		}
		// A failure of the batch as a whole is attributed to its first event;
		// CatchUp narrows it down by applying events one at a time.
		return 0, false, &EventError{Projection: p.Name(), Position: events[0].Position, Type: events[0].Type, Err: err}
	}
	if _, err := tx.Exec(ctx, "UPDATE "+checkpoint+" SET position = $1, updated_at = statement_timestamp()", last); err != nil {
		return 0, false, err
	}
	if err := tx.Commit(ctx); err != nil {
		cur.known = false
		return 0, false, err
	}
	committed := time.Now()
	*cur = cursor{known: true, persisted: last, scanned: last, persistedAt: committed}
	m.applied(p.Name(), events, committed)
	if onApplied != nil {
		onApplied(events, committed)
	}
	return len(events), progressed, nil
}

// apply applies events unless there are none (all skipped by type).
func apply(ctx context.Context, tx pgx.Tx, p Projection, schema string, events []eventstore.Record) error {
	if len(events) == 0 {
		return nil
	}
	return p.Apply(ctx, tx, schema, events)
}
