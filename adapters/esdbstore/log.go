package esdbstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"

	"docledger/eventstore"
)

// This file is the log-reader side of the store (eventstore.LogReader but
// Wake, which is in wake.go): reads of $all.

// readAllPage is the number of $all events one read request asks for.
const readAllPage = 4096

// ReadAll returns at most limit events that follow the event at position
// after (0: the start) in the log's order, skipping ESDB's system events,
// the command records and the snapshots. ESDB makes an event visible in
// $all only when everything before it is, so a reader that continues from
// the last position it saw never skips one. It returns
// eventstore.ErrUnknownPosition when no event of $all has position after,
// and ErrIntegrity for an event that fails its hash check or has no
// docledger wrapper.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Record, error) {
	recs, _, err := s.scan(ctx, after, limit, nil)
	return recs, err
}

// ReadTypes scans at most limit docledger events after position after, as
// ReadAll does, and returns those whose type starts with one of prefixes
// (compared literally), with the position of the last event of $all it
// scanned (0 when it scanned none). That position may be a skipped event's
// (a command record, a snapshot, a system event): it is a valid after for
// the next ReadAll or ReadTypes of this store. The client's reads of $all
// take no server-side filter (only subscriptions do), so the types are
// filtered here; only the wanted events are decoded.
func (s *Store) ReadTypes(ctx context.Context, after int64, limit int, prefixes []string) ([]eventstore.Record, int64, error) {
	return s.scan(ctx, after, limit, func(eventType string) bool { return hasTypePrefix(eventType, prefixes) })
}

// scan reads $all forwards after position after until it has scanned limit
// docledger events or reached the end, and returns the ones wanted (all
// when wanted is nil) and the position of the last event it scanned.
func (s *Store) scan(ctx context.Context, after int64, limit int, wanted func(eventType string) bool) ([]eventstore.Record, int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	from, err := startOf(after)
	if err != nil {
		return nil, 0, err
	}
	var out []eventstore.Record
	// cursor is the position of the last event read; have says whether
	// there is one, and then the next read starts with that event again.
	cursor, have := uint64(after), after > 0
	var last int64
	counted := 0
	firstPage := true
	for counted < limit {
		want := min(limit-counted, readAllPage)
		start := 0
		if have {
			want++
			start = 1
		}
		evs, err := s.readAllRaw(ctx, esdb.Forwards, from, uint64(want))
		if firstPage && have && isInvalidPosition(err) {
			return nil, 0, fmt.Errorf("read log after %d: %w", after, eventstore.ErrUnknownPosition)
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
		}
		if have && (len(evs) == 0 || evs[0].Position.Commit != cursor) {
			if firstPage {
				return nil, 0, fmt.Errorf("read log after %d: %w", after, eventstore.ErrUnknownPosition)
			}
			return nil, 0, fmt.Errorf("read log after %d: $all no longer holds an event at position %d", after, cursor)
		}
		for _, ev := range evs[start:] {
			if have && ev.Position.Commit <= cursor {
				return nil, 0, fmt.Errorf("read log after %d: commit position %d follows %d: logs with explicit transactions are not supported", after, ev.Position.Commit, cursor)
			}
			pos, err := positionOf(ev)
			if err != nil {
				return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
			}
			cursor, have, last = ev.Position.Commit, true, pos
			if skipInLog(ev.StreamID, ev.EventType) {
				continue
			}
			counted++
			if wanted == nil || wanted(ev.EventType) {
				r, _, err := recordOf(ev)
				if err != nil {
					return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
				}
				out = append(out, r)
			}
			if counted == limit {
				break
			}
		}
		if len(evs) < want {
			break // the end of $all
		}
		from = esdb.Position{Commit: cursor, Prepare: cursor}
		firstPage = false
	}
	return out, last, nil
}

// Head returns the position and ESDB's created time of the last docledger
// event of $all (0 and the zero time when there is none), reading $all
// backwards past ESDB's system events, the command records and the
// snapshots.
func (s *Store) Head(ctx context.Context) (int64, time.Time, error) {
	var from esdb.AllPosition = esdb.End{}
	var below uint64 // on later pages, only events before this position are new
	for page := 0; ; page++ {
		evs, err := s.readAllRaw(ctx, esdb.Backwards, from, readAllPage)
		if err != nil {
			return 0, time.Time{}, fmt.Errorf("log head: %w", err)
		}
		fresh := 0
		for _, ev := range evs {
			if page > 0 && ev.Position.Commit >= below {
				continue // the page's start, if the server repeats it
			}
			fresh++
			if skipInLog(ev.StreamID, ev.EventType) {
				continue
			}
			pos, err := positionOf(ev)
			if err != nil {
				return 0, time.Time{}, fmt.Errorf("log head: %w", err)
			}
			return pos, ev.CreatedDate.UTC(), nil
		}
		if len(evs) < readAllPage || fresh == 0 {
			return 0, time.Time{}, nil // the start of $all
		}
		lastEv := evs[len(evs)-1]
		below = lastEv.Position.Commit
		from = esdb.Position{Commit: lastEv.Position.Commit, Prepare: lastEv.Position.Prepare}
	}
}

// WaitReadable returns ctx's error at once: ESDB shows an event in $all
// when its append commits, and never before the events committed earlier,
// so whatever committed before the call is readable.
func (s *Store) WaitReadable(ctx context.Context) error { return ctx.Err() }

// readAllRaw reads at most count events of $all from from, in direction dir.
func (s *Store) readAllRaw(ctx context.Context, dir esdb.Direction, from esdb.AllPosition, count uint64) ([]*esdb.RecordedEvent, error) {
	rs, err := s.client.ReadAll(ctx, esdb.ReadAllOptions{Direction: dir, From: from}, count)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		out = append(out, ev.Event)
	}
}
