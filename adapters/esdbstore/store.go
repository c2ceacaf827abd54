package esdbstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"docledger/eventstore"
)

// Options tune a Store.
type Options struct {
	// CommandScanDepth is how many of a stream's latest events an append
	// with a command ID that has no record yet searches for the events of
	// an earlier attempt whose record was lost (default 64; negative: do
	// not search). After a wrong expected version the whole stream is
	// searched whatever this says.
	CommandScanDepth int
	// Logger reports the loss of the subscription that wakes readers
	// (default slog.Default()).
	Logger *slog.Logger
}

// Store is the EventStoreDB event store. It is safe for concurrent use.
type Store struct {
	client *esdb.Client
	opts   Options
	// ctx ends with Close: it bounds the subscription that Wake starts.
	ctx    context.Context
	cancel context.CancelFunc
	wake   *eventstore.Broadcast
	watch  struct {
		sync.Mutex
		started bool
		done    chan struct{}
	}
}

var _ eventstore.Store = (*Store)(nil)

// New returns a store on client. The store does not own the client: the
// caller calls Close (which stops the store's subscription, if Wake started
// one) and then closes the client.
func New(client *esdb.Client, opts Options) *Store {
	if client == nil {
		panic("esdbstore: nil client")
	}
	if opts.CommandScanDepth == 0 {
		opts.CommandScanDepth = 64
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Store{client: client, opts: opts, ctx: ctx, cancel: cancel, wake: eventstore.NewBroadcast()}
}

// Connect returns a client for an EventStoreDB connection string such as
// "esdb://127.0.0.1:2113?tls=false". The client connects lazily, on its
// first call; Close releases it.
func Connect(url string) (*esdb.Client, error) {
	cfg, err := esdb.ParseConnectionString(url)
	if err != nil {
		return nil, fmt.Errorf("eventstoredb connection string: %w", err)
	}
	c, err := esdb.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("eventstoredb client: %w", err)
	}
	return c, nil
}

// appendAttempts bounds the sends of one append when the server times out
// or is unavailable; the same event IDs go every time.
const appendAttempts = 3

// Append appends events to stream if the stream is at the expected version,
// all or nothing, and returns the new stream version and the events' global
// positions. It returns a *eventstore.ConflictError (errors.Is eventstore.ErrConflict)
// carrying the actual version when the stream is elsewhere,
// eventstore.ErrCommandReused when the events' command ID committed before with a
// different stream or request, and eventstore.ErrInvalidEvent for events it cannot
// store. Appending again for a command ID that committed returns the first
// result with Duplicate set and writes nothing (see the package doc for how,
// and for the gaps). A successful append wakes this store's readers (Wake).
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Envelope) (eventstore.AppendResult, error) {
	res, err := s.append(ctx, stream, expected, events)
	if err == nil {
		s.wake.Fire()
	}
	return res, err
}

func (s *Store) append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events []eventstore.Envelope) (eventstore.AppendResult, error) {
	if err := validate(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	rev, err := expectedRevision(expected)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	commandID := events[0].CommandID
	var fp []byte
	if commandID != "" {
		fp = requestFingerprint(stream, events)
		rec, err := s.Command(ctx, commandID)
		switch {
		case err == nil:
			return answerFromRecord(rec, stream, fp)
		case !errors.Is(err, eventstore.ErrCommandNotFound):
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
	}

	ids := make([]uuid.UUID, len(events))
	data := make([]esdb.EventData, len(events))
	for i, e := range events {
		own := e.ID
		if own == uuid.Nil {
			if own, err = uuid.NewV7(); err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append: event id: %w", err)
			}
		}
		ids[i] = esdbEventID(commandID, i, own)
		meta, err := encodeMetadata(e, own, metadataBytes(e.Metadata), fp)
		if err != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		data[i] = esdb.EventData{EventID: ids[i], EventType: e.Type, ContentType: esdb.ContentTypeJson, Data: e.Data, Metadata: meta}
	}

	if commandID != "" && s.opts.CommandScanDepth > 0 {
		// An earlier attempt may have committed its events and died before
		// its record: ESDB deduplicates a retry at the same expected
		// revision, not one sent at the stream's new head.
		res, found, err := s.findCommandEvents(ctx, stream, ids, fp, uint64(s.opts.CommandScanDepth))
		if err != nil {
			return eventstore.AppendResult{}, err
		}
		if found {
			return s.recordFound(ctx, commandID, stream, fp, res)
		}
	}

	wr, err := s.send(ctx, stream, esdb.AppendToStreamOptions{ExpectedRevision: rev}, data)
	if isWrongExpectedVersion(err) {
		if commandID != "" {
			res, found, ferr := s.findCommandEvents(ctx, stream, ids, fp, 0)
			if ferr != nil {
				return eventstore.AppendResult{}, ferr
			}
			if found {
				return s.recordFound(ctx, commandID, stream, fp, res)
			}
		}
		return eventstore.AppendResult{}, s.conflict(ctx, stream, expected, err)
	}
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}

	// Read the events back: their positions are what ReadAll will report,
	// and their fingerprint tells whether ESDB kept an earlier request's
	// events under the same derived IDs.
	n := uint64(len(events))
	if wr.NextExpectedVersion+1 < n {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: server reported revision %d after %d events", stream, wr.NextExpectedVersion, n)
	}
	first := wr.NextExpectedVersion + 1 - n
	res, err := s.readBack(ctx, stream, first, ids, fp)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	if commandID == "" {
		return res, nil
	}
	return s.record(ctx, commandID, stream, fp, res)
}

// send appends data, sending it again (same event IDs) after a timeout or
// an unavailable server.
func (s *Store) send(ctx context.Context, stream string, opts esdb.AppendToStreamOptions, data []esdb.EventData) (*esdb.WriteResult, error) {
	var err error
	for attempt := 1; ; attempt++ {
		var wr *esdb.WriteResult
		wr, err = s.client.AppendToStream(ctx, stream, opts, data...)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil || !isRetryable(err) || attempt == appendAttempts {
			return wr, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
}

// errMismatch says that the events at the revisions read back are not the
// ones appended.
var errMismatch = errors.New("events read back are not the ones appended")

// readBack reads the len(ids) events from revision first of stream and
// checks that they are the ones just appended: the IDs ESDB stores and, for
// a command, the request fingerprint in their wrappers.
func (s *Store) readBack(ctx context.Context, stream string, first uint64, ids []uuid.UUID, fp []byte) (eventstore.AppendResult, error) {
	evs, err := s.readStreamRaw(ctx, stream, esdb.Forwards, esdb.Revision(first), uint64(len(ids)))
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: read back: %w", stream, err)
	}
	if len(evs) != len(ids) {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: %d of %d events from revision %d", stream, errMismatch, len(evs), len(ids), first)
	}
	for i, ev := range evs {
		if ev.EventID != ids[i] {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: event at revision %d has id %s, appended %s", stream, errMismatch, ev.EventNumber, ev.EventID, ids[i])
		}
		if fp != nil {
			_, d, err := recordOf(ev)
			if err != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: read back: %w", stream, err)
			}
			if !bytes.Equal(d.RequestSHA256, fp) {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: command %s: %w", stream, d.Cause.CommandID, eventstore.ErrCommandReused)
			}
		}
	}
	firstPos, lastPos := evs[0].Position.Commit, evs[len(evs)-1].Position.Commit
	if lastPos > math.MaxInt64 {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: commit position %d does not fit a position", stream, lastPos)
	}
	return eventstore.AppendResult{
		StreamVersion: versionOf(evs[len(evs)-1].EventNumber),
		FirstPosition: int64(firstPos),
		LastPosition:  int64(lastPos),
	}, nil
}

// findCommandEvents looks in the latest depth events of stream (0: all of
// them) for events stored under the command's derived IDs: an earlier
// attempt of the same command whose record was never written. When it finds
// them it returns their result; when the earlier attempt was another
// request (other events, another fingerprint) it returns
// eventstore.ErrCommandReused.
func (s *Store) findCommandEvents(ctx context.Context, stream string, ids []uuid.UUID, fp []byte, depth uint64) (eventstore.AppendResult, bool, error) {
	const page = 256
	var from esdb.StreamPosition = esdb.End{}
	var scanned uint64
	for {
		want := uint64(page)
		if depth > 0 {
			want = min(want, depth-scanned)
		}
		evs, err := s.readStreamRaw(ctx, stream, esdb.Backwards, from, want)
		if err != nil {
			return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: look for the command's events: %w", stream, err)
		}
		for _, ev := range evs {
			if ev.EventID != ids[0] {
				continue
			}
			res, err := s.readBack(ctx, stream, ev.EventNumber, ids, fp)
			if errors.Is(err, errMismatch) {
				return eventstore.AppendResult{}, false, fmt.Errorf("append to %s: an earlier attempt of the command stored other events: %w", stream, eventstore.ErrCommandReused)
			}
			return res, err == nil, err
		}
		scanned += uint64(len(evs))
		if uint64(len(evs)) < want || evs[len(evs)-1].EventNumber == 0 || (depth > 0 && scanned >= depth) {
			return eventstore.AppendResult{}, false, nil
		}
		from = esdb.Revision(evs[len(evs)-1].EventNumber - 1)
	}
}

// recordFound records a command whose events an earlier attempt stored and
// answers as a duplicate: this call wrote no events.
func (s *Store) recordFound(ctx context.Context, commandID, stream string, fp []byte, res eventstore.AppendResult) (eventstore.AppendResult, error) {
	res, err := s.record(ctx, commandID, stream, fp, res)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	res.Duplicate = true
	return res, nil
}

// record writes the command's record (NoStream: exactly one writer wins)
// and returns res; when another append recorded the command first, it
// answers from that record.
func (s *Store) record(ctx context.Context, commandID, stream string, fp []byte, res eventstore.AppendResult) (eventstore.AppendResult, error) {
	body, err := encodeCommandRecord(eventstore.CommandRecord{CommandID: commandID, StreamID: stream, RequestSHA256: fp, Result: res})
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: record command %s: %w", stream, commandID, err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: record id: %w", stream, err)
	}
	_, err = s.send(ctx, commandStream(commandID), esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}},
		[]esdb.EventData{{EventID: id, EventType: commandRecordedType, ContentType: esdb.ContentTypeJson, Data: body}})
	if isWrongExpectedVersion(err) {
		rec, lerr := s.Command(ctx, commandID)
		if lerr != nil {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: look up concurrent command: %w", stream, lerr)
		}
		return answerFromRecord(rec, stream, fp)
	}
	if err != nil {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: record command %s: %w", stream, commandID, err)
	}
	return res, nil
}

// conflict turns ESDB's wrong-expected-version error into our ConflictError.
func (s *Store) conflict(ctx context.Context, stream string, expected eventstore.ExpectedVersion, cause error) error {
	actual, ok := actualVersionFromMessage(cause.Error())
	if !ok {
		v, err := s.streamVersion(ctx, stream)
		if err != nil {
			return fmt.Errorf("append to %s: %w (actual version unknown: %v)", stream, eventstore.ErrConflict, err)
		}
		actual = v
	}
	return &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

// streamVersion is the version of stream's last event, 0 when it has none.
func (s *Store) streamVersion(ctx context.Context, stream string) (int64, error) {
	evs, err := s.readStreamRaw(ctx, stream, esdb.Backwards, esdb.End{}, 1)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	return versionOf(evs[0].EventNumber), nil
}

// Command returns the committed command with the given ID, or
// eventstore.ErrCommandNotFound.
func (s *Store) Command(ctx context.Context, commandID string) (eventstore.CommandRecord, error) {
	evs, err := s.readStreamRaw(ctx, commandStream(commandID), esdb.Forwards, esdb.Start{}, 1)
	if err != nil {
		return eventstore.CommandRecord{}, fmt.Errorf("look up command %s: %w", commandID, err)
	}
	if len(evs) == 0 {
		return eventstore.CommandRecord{}, eventstore.ErrCommandNotFound
	}
	rec, err := decodeCommandRecord(evs[0].Data)
	if err != nil {
		return eventstore.CommandRecord{}, fmt.Errorf("look up command %s: %w", commandID, err)
	}
	rec.CommandID = commandID
	return rec, nil
}

// ReadStream returns the events of stream whose version is above
// afterVersion, in version order; an unknown stream has no events. An event
// that fails its hash check or has no docledger wrapper is ErrIntegrity.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64) ([]eventstore.Record, error) {
	var from esdb.StreamPosition = esdb.Start{}
	if afterVersion > 0 {
		from = esdb.Revision(uint64(afterVersion)) // the revision of version afterVersion+1
	}
	evs, err := s.readStreamRaw(ctx, stream, esdb.Forwards, from, math.MaxInt64)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	out := make([]eventstore.Record, 0, len(evs))
	for _, ev := range evs {
		r, _, err := recordOf(ev)
		if err != nil {
			return nil, fmt.Errorf("read stream %s: %w", stream, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// readStreamRaw reads at most count events of stream in direction dir,
// starting at from; a missing stream has no events.
func (s *Store) readStreamRaw(ctx context.Context, stream string, dir esdb.Direction, from esdb.StreamPosition, count uint64) ([]*esdb.RecordedEvent, error) {
	rs, err := s.client.ReadStream(ctx, stream, esdb.ReadStreamOptions{Direction: dir, From: from}, count)
	if err != nil {
		if isCode(err, esdb.ErrorCodeResourceNotFound) {
			return nil, nil
		}
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if isCode(err, esdb.ErrorCodeResourceNotFound) {
			return nil, nil
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
