package pgstore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"docledger/eventstore"

	"github.com/jackc/pgx/v5"
)

// watchRelease wakes readers once events that were committed but not yet
// readable have become readable. Readers see an event only when every older
// transaction of the cluster has ended (pg_snapshot_xmin), and a transaction
// that appends nothing sends no notification when it ends: so a read that
// finds nothing while later events exist starts this watch, which looks
// again with a growing pause until nothing is held back, then wakes. One
// watch runs at a time; a request while it runs makes it look once more.
func (s *Store) watchRelease() {
	s.watch.Lock()
	defer s.watch.Unlock()
	s.watch.again = true
	if s.watch.running {
		return
	}
	s.watch.running = true
	go s.runReleaseWatch()
}

func (s *Store) runReleaseWatch() {
	for {
		s.watch.Lock()
		if !s.watch.again || s.ctx.Err() != nil {
			s.watch.running = false
			s.watch.Unlock()
			return
		}
		s.watch.again = false
		s.watch.Unlock()
		var pause eventstore.Backoff
		for {
			held, err := s.held(s.ctx)
			if s.ctx.Err() != nil {
				break
			}
			if err == nil && !held {
				s.wake.Fire()
				break
			}
			select {
			case <-s.ctx.Done():
			case <-time.After(pause.Next(100 * time.Millisecond)):
			}
		}
	}
}

// held reports whether committed events exist that readers cannot see yet.
func (s *Store) held(ctx context.Context) (bool, error) {
	var held bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM events
		WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot()))`).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("held-back events: %w", err)
	}
	return held, nil
}

// WaitReadable returns when every event committed before the call is
// readable: when every transaction that had started by then has ended
// (readers see events below the oldest running transaction), or with ctx's
// error.
func (s *Store) WaitReadable(ctx context.Context) error {
	var horizon string
	if err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text`).Scan(&horizon); err != nil {
		return fmt.Errorf("wait readable: %w", err)
	}
	var pause eventstore.Backoff
	for {
		var done bool
		err := s.pool.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8`, horizon).Scan(&done)
		if err != nil {
			return fmt.Errorf("wait readable: %w", err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause.Next(50 * time.Millisecond)):
		}
	}
}

// Wake returns a channel that is closed the next time the store learns of
// new events: an append through it, a notification from another process,
// or the release of events an older transaction held back from readers.
// Projection runners wait on it between reads.
func (s *Store) Wake() <-chan struct{} { return s.wake.Wait() }

// announce wakes local subscribers and asks the notifier for a NOTIFY.
func (s *Store) announce() {
	s.wake.Fire()
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
	s.wake.Fire() // anything appended while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.wake.Fire()
	}
}
