package esdbstore

import (
	"context"
	"errors"
	"fmt"

	"docledger/eventstore"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// subscribeBatch is the most events handed to a subscriber at once.
const subscribeBatch = 1000

// Subscribe delivers every event after position after, first those already
// stored (catch-up), then new ones as they commit, in the log's order, to fn
// a batch at a time, skipping ESDB's system events and the command records.
// It is one catch-up subscription to $all (SubscribeToAll) with the server
// filtering out event types that start with $. It returns when ctx ends
// (with ctx's error), when fn returns an error (with that error), or when
// the server drops the subscription (with the drop's error); the caller
// resumes from the last position fn accepted. An after that no event has is
// eventstore.ErrUnknownPosition, as for ReadAll.
func (s *Store) Subscribe(ctx context.Context, after int64, fn func(context.Context, []eventstore.Record) error) error {
	var from esdb.AllPosition = esdb.Start{}
	if after != 0 {
		if err := s.checkPosition(ctx, after); err != nil {
			return err
		}
		from = esdb.Position{Commit: uint64(after), Prepare: uint64(after)}
	}
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	sub, err := s.client.SubscribeToAll(subCtx, esdb.SubscribeToAllOptions{
		From:   from,
		Filter: esdb.ExcludeSystemEventsFilter(),
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("subscribe to $all after %d: %w", after, err)
	}
	defer sub.Close()

	items := make(chan item, subscribeBatch)
	go receive(subCtx, sub, uint64(after), items)

	for {
		var it item
		select {
		case <-ctx.Done():
			return ctx.Err()
		case it = <-items:
		}
		batch := make([]eventstore.Record, 0, 16)
		var failed error
	collect:
		for {
			if it.err != nil {
				failed = it.err
				break
			}
			batch = append(batch, it.rec)
			if len(batch) == subscribeBatch {
				break
			}
			select {
			case it = <-items:
			default:
				break collect
			}
		}
		if len(batch) > 0 {
			if err := fn(ctx, batch); err != nil {
				return err
			}
		}
		if failed != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("subscription to $all after %d: %w", after, failed)
		}
	}
}

// item is one record of a subscription, or the error that ended it.
type item struct {
	rec eventstore.Record
	err error
}

// receive turns the subscription's events into records until it ends or
// ctx does. The server's filter already drops $ event types; the store's own
// filter also drops $ streams and the command records. Events at or before
// after are skipped whichever way the server treats the start position.
func receive(ctx context.Context, sub *esdb.Subscription, after uint64, items chan<- item) {
	send := func(it item) bool {
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	last := after
	for {
		e := sub.Recv()
		switch {
		case e.SubscriptionDropped != nil:
			err := e.SubscriptionDropped.Error
			if err == nil {
				err = errors.New("subscription dropped")
			}
			send(item{err: err})
			return
		case e.EventAppeared != nil:
			ev := e.EventAppeared.Event
			if ev == nil {
				continue
			}
			pos := ev.Position.Commit
			if pos <= last && (last != 0 || after != 0) {
				if pos < last {
					send(item{err: fmt.Errorf("commit position %d follows %d: logs with explicit transactions are not supported", pos, last)})
					return
				}
				continue // the start position itself
			}
			last = pos
			if skipInLog(ev.StreamID, ev.EventType) {
				continue
			}
			rec, _, err := recordOf(ev)
			if err != nil {
				send(item{err: err})
				return
			}
			if !send(item{rec: rec}) {
				return
			}
		}
		// Checkpoints, caught-up and fell-behind notices carry nothing to deliver.
	}
}

// checkPosition returns eventstore.ErrUnknownPosition unless an event of $all
// has position after: a read of $all from there starts with that event.
func (s *Store) checkPosition(ctx context.Context, after int64) error {
	if after < 0 {
		return fmt.Errorf("subscribe after %d: %w", after, eventstore.ErrUnknownPosition)
	}
	p := uint64(after)
	evs, err := s.readAllRaw(ctx, esdb.Position{Commit: p, Prepare: p}, 1)
	if isInvalidPosition(err) {
		return fmt.Errorf("subscribe after %d: %w", after, eventstore.ErrUnknownPosition)
	}
	if err != nil {
		return fmt.Errorf("subscribe after %d: %w", after, err)
	}
	if len(evs) == 0 || evs[0].Position.Commit != p {
		return fmt.Errorf("subscribe after %d: %w", after, eventstore.ErrUnknownPosition)
	}
	return nil
}
