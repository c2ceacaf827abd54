package pgstore

import (
	"context"
	"docledger/eventstore"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Subscribe delivers every event after position after, first those already
// stored (catch-up), then new ones as they commit, in the log's order, to fn
// a batch at a time. It returns when ctx ends (with ctx's error) or when fn
// returns an error (with that error); the caller resumes from the last
// position fn accepted.
func (s *Store) Subscribe(ctx context.Context, after int64, fn func(context.Context, []eventstore.Record) error) error {
	const batch = 1000
	poll := time.NewTicker(s.opts.PollInterval)
	defer poll.Stop()
	var held backoff
	settled := false // an empty read followed a "nothing pending": safe to sleep
	for {
		woken := s.wake.wait() // take the channel before reading, so no wake is lost
		recs, err := s.ReadAll(ctx, after, batch)
		if err != nil {
			return err
		}
		if len(recs) > 0 {
			held.reset()
			settled = false
			if err := fn(ctx, recs); err != nil {
				return err
			}
			after = recs[len(recs)-1].Position
			if len(recs) == batch {
				continue
			}
		}
		var wait <-chan time.Time
		if !settled {
			pending, err := s.Pending(ctx)
			if err != nil {
				return err
			}
			if !pending {
				// What was held back at the read may have been released
				// since: read once more before sleeping.
				settled = true
				continue
			}
			wait = time.After(held.next(min(s.opts.PollInterval, 100*time.Millisecond)))
		}
		settled = false
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-woken:
		case <-poll.C:
		case <-wait:
		}
	}
}

// Pending reports whether committed events exist that readers cannot see
// yet, because an older transaction (of any database of the cluster) is
// still running: a reader woken for them should look again shortly rather
// than wait for the next notification.
func (s *Store) Pending(ctx context.Context) (bool, error) {
	var pending bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM events
		WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))`).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("pending events: %w", err)
	}
	return pending, nil
}

// backoff grows from 2ms, doubling, to a ceiling.
type backoff struct{ d time.Duration }

func (b *backoff) next(ceiling time.Duration) time.Duration {
	switch {
	case b.d == 0:
		b.d = 2 * time.Millisecond
	case b.d < ceiling:
		b.d *= 2
	}
	return min(b.d, ceiling)
}

func (b *backoff) reset() { b.d = 0 }

// Wake returns a channel that is closed the next time the store learns of
// new events (an append through it, a notification from another process).
// Projection runners wait on it between reads.
func (s *Store) Wake() <-chan struct{} { return s.wake.wait() }

// announce wakes local subscribers and asks the notifier for a NOTIFY.
func (s *Store) announce() {
	s.wake.fire()
	select {
	case s.notify <- struct{}{}:
	default: // a NOTIFY is already pending; it will cover this append too
	}
}

// runNotifier sends one NOTIFY for any number of appends that committed
// since the last one, outside their transactions, at most one per
// NotifyInterval. Subscribers in this process are woken at once by announce.
func (s *Store) runNotifier(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.notify:
		}
		if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, '')`, Channel); err != nil && ctx.Err() == nil {
			slog.Warn("event store: notify failed", "err", err)
			time.Sleep(100 * time.Millisecond)
		}
		// Each NOTIFY is a commit of its own: bound their rate, so that under
		// load one NOTIFY covers many appends.
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.opts.NotifyInterval):
		}
	}
}

// runListener holds a LISTEN connection and wakes subscribers on every
// notification, reconnecting after failures.
func (s *Store) runListener(ctx context.Context) {
	cfg := s.pool.Config().ConnConfig.Copy()
	if s.opts.ListenURL != "" {
		c, err := pgx.ParseConfig(s.opts.ListenURL)
		if err != nil {
			slog.Error("event store: listen url", "err", err)
			return
		}
		cfg = c
	}
	for ctx.Err() == nil {
		err := s.listen(ctx, cfg)
		if ctx.Err() != nil {
			return
		}
		slog.Warn("event store: listener lost its connection; polling until it is back", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listen(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	s.wake.fire() // anything appended while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.fire()
	}
}

// broadcast wakes every waiter at once: wait returns a channel that the next
// fire closes.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func newBroadcast() *broadcast { return &broadcast{ch: make(chan struct{})} }

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

func (b *broadcast) fire() {
	b.mu.Lock()
	close(b.ch)
	b.ch = make(chan struct{})
	b.mu.Unlock()
}
