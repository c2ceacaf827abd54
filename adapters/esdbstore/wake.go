package esdbstore

import (
	"context"
	"errors"
	"time"

	"docledger/eventstore"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// Wake returns a channel that is closed the next time the store learns of
// new docledger events: an append through this store, or an event of $all
// that a live subscription sees (an append by another process). The
// subscription starts on the first call and is held until Close,
// re-subscribing with a growing pause after a failure; the channel is also
// closed whenever a subscription starts, for what was appended while none
// was live. Readers keep their fallback poll for the time no subscription
// holds.
func (s *Store) Wake() <-chan struct{} {
	s.watch.Lock()
	if !s.watch.started && s.ctx.Err() == nil {
		s.watch.started = true
		s.watch.done = make(chan struct{})
		go s.runWatch()
	}
	s.watch.Unlock()
	return s.wake.Wait()
}

// Close stops the subscription that Wake started, and waits for it. It does
// not close the client, which the caller owns.
func (s *Store) Close() {
	s.cancel()
	s.watch.Lock()
	started, done := s.watch.started, s.watch.done
	s.watch.started = true // no subscription starts after Close
	s.watch.Unlock()
	if started && done != nil {
		<-done
	}
}

// runWatch holds a subscription to $all until Close, and wakes readers on
// every docledger event it delivers.
func (s *Store) runWatch() {
	defer close(s.watch.done)
	pause := eventstore.Backoff{First: 100 * time.Millisecond}
	for s.ctx.Err() == nil {
		err := s.subscribeLive(s.ctx, pause.Reset)
		if s.ctx.Err() != nil {
			return
		}
		s.opts.Logger.Warn("eventstoredb: the $all subscription that wakes readers failed; they poll until it is back", "err", err)
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(pause.Next(5 * time.Second)):
		}
	}
}

// subscribeLive subscribes to $all from its end (live events only), with
// the server filtering out $ event types, and fires the store's wake-up for
// each docledger event until the subscription drops or ctx ends. It calls
// subscribed once the server has accepted the subscription.
func (s *Store) subscribeLive(ctx context.Context, subscribed func()) error {
	sub, err := s.client.SubscribeToAll(ctx, esdb.SubscribeToAllOptions{From: esdb.End{}, Filter: esdb.ExcludeSystemEventsFilter()})
	if err != nil {
		return err
	}
	defer sub.Close()
	subscribed()
	s.wake.Fire() // anything appended while no subscription was live
	for {
		e := sub.Recv()
		switch {
		case e.SubscriptionDropped != nil:
			if err := e.SubscriptionDropped.Error; err != nil {
				return err
			}
			return errors.New("subscription dropped")
		case e.EventAppeared != nil:
			if ev := e.EventAppeared.Event; ev != nil && !skipInLog(ev.StreamID, ev.EventType) {
				s.wake.Fire()
			}
		}
		// Checkpoints, caught-up and fell-behind notices wake nobody.
	}
}
