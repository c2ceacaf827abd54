// Package memstore is an event store in memory. It keeps the whole
// eventstore contract (it passes eventstore/storetest) so that the command
// side and read-side code can be tested without a database; it keeps
// nothing after the process ends and is not meant for production.
package memstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"docledger/eventstore"
)

// Store is an in-memory event store, safe for concurrent use. Appends are
// serialised by one lock, so the log's order is position order.
type Store struct {
	mu        sync.Mutex
	log       []eventstore.Record // log[i].Position == i+1
	streams   map[string][]int    // stream -> indexes into log
	commands  map[string]eventstore.CommandRecord
	snapshots map[string]snapshot
	wake      *eventstore.Broadcast
	now       func() time.Time
}

type snapshot struct {
	version int64
	state   []byte
}

// New returns an empty store. now is the recorded-at clock (time.Now when nil).
func New(now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{streams: map[string][]int{}, commands: map[string]eventstore.CommandRecord{},
		snapshots: map[string]snapshot{}, wake: eventstore.NewBroadcast(), now: now}
}

var _ eventstore.Store = (*Store)(nil)

// Append implements eventstore.Writer.
func (s *Store) Append(_ context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Envelope) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	fingerprint := eventstore.RequestFingerprint(stream, events)
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := events[0].CommandID
	if cmd != "" {
		if prior, ok := s.commands[cmd]; ok {
			if prior.StreamID != stream || !bytes.Equal(prior.RequestSHA256, fingerprint) {
				return eventstore.AppendResult{}, fmt.Errorf("command %s: %w", cmd, eventstore.ErrCommandReused)
			}
			res := prior.Result
			res.Duplicate = true
			return res, nil
		}
	}
	actual := int64(len(s.streams[stream]))
	if expected != eventstore.Any && int64(expected) != actual {
		return eventstore.AppendResult{}, &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
	}
	recordedAt := s.now()
	res := eventstore.AppendResult{FirstPosition: int64(len(s.log)) + 1}
	for _, e := range events {
		if e.ID == uuid.Nil {
			e.ID = uuid.Must(uuid.NewV7())
		}
		e.Data = bytes.Clone(e.Data)
		e.Metadata = bytes.Clone(e.Metadata)
		if len(e.Metadata) == 0 {
			e.Metadata = []byte("{}")
		}
		e.RequestSHA256 = nil
		actual++
		rec := eventstore.Record{Envelope: e, Position: int64(len(s.log)) + 1, StreamID: stream, StreamVersion: actual,
			DataSHA256: sha256.Sum256(e.Data), MetadataSHA256: sha256.Sum256(e.Metadata), RecordedAt: recordedAt}
		s.streams[stream] = append(s.streams[stream], len(s.log))
		s.log = append(s.log, rec)
	}
	res.StreamVersion = actual
	res.LastPosition = int64(len(s.log))
	if cmd != "" {
		s.commands[cmd] = eventstore.CommandRecord{CommandID: cmd, StreamID: stream, RequestSHA256: fingerprint, Result: res}
	}
	s.wake.Fire()
	return res, nil
}

// ReadStream implements eventstore.Writer.
func (s *Store) ReadStream(_ context.Context, stream string, afterVersion int64) ([]eventstore.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx := s.streams[stream]
	var out []eventstore.Record
	for _, i := range idx[min(max(afterVersion, 0), int64(len(idx))):] {
		out = append(out, s.log[i])
	}
	return out, nil
}

// Command implements eventstore.Writer.
func (s *Store) Command(_ context.Context, commandID string) (eventstore.CommandRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.commands[commandID]
	if !ok {
		return eventstore.CommandRecord{}, eventstore.ErrCommandNotFound
	}
	return c, nil
}

// from returns the index of the first event after position after.
func (s *Store) from(after int64) (int, error) {
	if after < 0 || after > int64(len(s.log)) {
		return 0, fmt.Errorf("read log after %d: %w", after, eventstore.ErrUnknownPosition)
	}
	return int(after), nil
}

// ReadAll implements eventstore.LogReader.
func (s *Store) ReadAll(_ context.Context, after int64, limit int) ([]eventstore.Record, error) {
	if limit <= 0 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.from(after)
	if err != nil {
		return nil, err
	}
	return append([]eventstore.Record(nil), s.log[i:min(i+limit, len(s.log))]...), nil
}

// ReadTypes implements eventstore.LogReader.
func (s *Store) ReadTypes(_ context.Context, after int64, limit int, prefixes []string) ([]eventstore.Record, int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := s.from(after)
	if err != nil {
		return nil, 0, err
	}
	var out []eventstore.Record
	var last int64
	for _, r := range s.log[i:min(i+limit, len(s.log))] {
		last = r.Position
		for _, p := range prefixes {
			if strings.HasPrefix(r.Type, p) {
				out = append(out, r)
				break
			}
		}
	}
	return out, last, nil
}

// Head implements eventstore.LogReader.
func (s *Store) Head(context.Context) (int64, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) == 0 {
		return 0, time.Time{}, nil
	}
	last := s.log[len(s.log)-1]
	return last.Position, last.RecordedAt, nil
}

// Wake implements eventstore.LogReader: every append closes the channel.
func (s *Store) Wake() <-chan struct{} { return s.wake.Wait() }

// WaitReadable implements eventstore.LogReader: an append is readable as
// soon as it returns.
func (s *Store) WaitReadable(ctx context.Context) error { return ctx.Err() }

// LoadSnapshot implements eventstore.Snapshots.
func (s *Store) LoadSnapshot(_ context.Context, stream string) ([]byte, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap, ok := s.snapshots[stream]
	if !ok {
		return nil, 0, eventstore.ErrNoSnapshot
	}
	return bytes.Clone(snap.state), snap.version, nil
}

// SaveSnapshot implements eventstore.Snapshots.
func (s *Store) SaveSnapshot(_ context.Context, stream string, version int64, state []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.snapshots[stream]; ok && old.version >= version {
		return nil
	}
	s.snapshots[stream] = snapshot{version: version, state: bytes.Clone(state)}
	return nil
}
