// Package pgstore is docledger's PostgreSQL event store.
//
// Every append is one call of the ledger_append function (migrations): the
// idempotency check, the optimistic-concurrency check and the inserts run in
// one statement, one round trip and one commit. Readers of the global log
// order events by (writer transaction id, position) and read only below the
// oldest running transaction (pg_snapshot_xmin), so an event that commits late
// with a lower position is never skipped: it is simply not visible to any
// reader until everything before it in that order is final.
//
// Live subscribers are woken by LISTEN/NOTIFY. Appends never NOTIFY inside
// their own transaction (a NOTIFY takes a cluster-wide lock at commit and
// would serialise every commit); instead one notifier goroutine per store
// sends at most one coalesced NOTIFY per round trip after commits, and
// subscribers also poll at a slow fallback interval.
package pgstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/domain/event"
)

// Channel is the LISTEN/NOTIFY channel that announces new events.
const Channel = "ledger_events"

// Options tune a Store.
type Options struct {
	// PollInterval is how often subscribers look for events when no
	// notification arrives (default 250ms).
	PollInterval time.Duration
	// NotifyInterval is the least time between two NOTIFYs (default 5ms).
	NotifyInterval time.Duration
	// ListenURL is the connection URL of the LISTEN connection; by default
	// the pool's own configuration.
	ListenURL string
}

// Store is the PostgreSQL event store. It is safe for concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	opts   Options
	wake   *broadcast
	notify chan struct{}
	done   chan struct{}
	cancel context.CancelFunc
}

// New returns a store on pool, whose schema the migrations have made, and
// starts its notifier and listener. Close stops them.
func New(pool *pgxpool.Pool, opts Options) *Store {
	if pool == nil {
		panic("pgstore: nil pool")
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.NotifyInterval <= 0 {
		opts.NotifyInterval = 5 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:   pool,
		opts:   opts,
		wake:   newBroadcast(),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
		cancel: cancel,
	}
	go s.runNotifier(ctx)
	go s.runListener(ctx)
	return s
}

// Close stops the store's background work. It does not close the pool.
func (s *Store) Close() {
	s.cancel()
	<-s.done
}

// Append appends events to stream if the stream is at the expected version,
// all or nothing, and returns the new stream version and the events' global
// positions. It returns a *event.ConflictError (errors.Is event.ErrConflict)
// carrying the actual version when the stream is elsewhere,
// event.ErrCommandReused when the events' command ID committed before with a
// different request, and event.ErrInvalidEvent for events it cannot store.
// Appending again for a command ID that committed returns the first result
// with Duplicate set and writes nothing.
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Envelope) (event.AppendResult, error) {
	if err := validate(stream, expected, events); err != nil {
		return event.AppendResult{}, err
	}
	cause := events[0].Cause
	n := len(events)
	ids := make([]uuid.UUID, n)
	types := make([]string, n)
	versions := make([]int32, n)
	data := make([][]byte, n)
	meta := make([][]byte, n)
	occurred := make([]time.Time, n)
	for i, e := range events {
		ids[i] = e.ID
		if ids[i] == uuid.Nil {
			id, err := uuid.NewV7()
			if err != nil {
				return event.AppendResult{}, fmt.Errorf("append: event id: %w", err)
			}
			ids[i] = id
		}
		types[i], versions[i], data[i], meta[i], occurred[i] = e.Type, int32(e.SchemaVersion), e.Data, metadataBytes(e.Metadata), e.OccurredAt
	}
	var commandID, requestHash any
	if cause.CommandID != "" {
		commandID = cause.CommandID
		requestHash = requestFingerprint(stream, events)
	}

	var res event.AppendResult
	err := s.pool.QueryRow(ctx, `SELECT stream_version, first_position, last_position, duplicate
		FROM ledger_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		stream, int64(expected), commandID, requestHash,
		cause.Actor, nullable(cause.CausationID), nullable(cause.CorrelationID),
		ids, types, versions, data, meta, occurred,
	).Scan(&res.StreamVersion, &res.FirstPosition, &res.LastPosition, &res.Duplicate)
	if err != nil {
		return s.appendError(ctx, stream, expected, cause.CommandID, requestHash, err)
	}
	if !res.Duplicate {
		s.announce()
	}
	return res, nil
}

func (s *Store) appendError(ctx context.Context, stream string, expected event.ExpectedVersion, commandID string, requestHash any, err error) (event.AppendResult, error) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return event.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
	switch {
	case pgErr.Code == "DLC01":
		actual, _ := strconv.ParseInt(pgErr.Detail, 10, 64)
		return event.AppendResult{}, &event.ConflictError{Stream: stream, Expected: expected, Actual: actual}
	case pgErr.Code == "DLI01":
		return event.AppendResult{}, fmt.Errorf("append to %s: command %s: %w", stream, commandID, event.ErrCommandReused)
	case pgErr.Code == "23505" && pgErr.ConstraintName == "commands_pkey":
		// The same command committed concurrently: answer as a duplicate.
		prior, lerr := s.Command(ctx, commandID)
		if lerr != nil {
			return event.AppendResult{}, fmt.Errorf("append to %s: look up concurrent command: %w", stream, lerr)
		}
		if prior.StreamID != stream || !bytes.Equal(prior.RequestSHA256, requestHash.([]byte)) {
			return event.AppendResult{}, fmt.Errorf("append to %s: command %s: %w", stream, commandID, event.ErrCommandReused)
		}
		return prior.Result, nil
	case pgErr.Code == "23505" && pgErr.ConstraintName == "events_event_id_key":
		return event.AppendResult{}, fmt.Errorf("append to %s: %w: event id already stored", stream, event.ErrInvalidEvent)
	case pgErr.Code == "22P02" || pgErr.Code == "22021" || pgErr.Code == "22023":
		return event.AppendResult{}, fmt.Errorf("append to %s: %w: %s", stream, event.ErrInvalidEvent, pgErr.Message)
	}
	return event.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
}

// Command returns the committed command with the given ID, or
// event.ErrCommandNotFound.
func (s *Store) Command(ctx context.Context, commandID string) (event.CommandRecord, error) {
	c := event.CommandRecord{CommandID: commandID, Result: event.AppendResult{Duplicate: true}}
	err := s.pool.QueryRow(ctx, `SELECT stream_id, request_sha256, stream_version, first_position, last_position
		FROM commands WHERE command_id = $1`, commandID).
		Scan(&c.StreamID, &c.RequestSHA256, &c.Result.StreamVersion, &c.Result.FirstPosition, &c.Result.LastPosition)
	if errors.Is(err, pgx.ErrNoRows) {
		return event.CommandRecord{}, event.ErrCommandNotFound
	}
	if err != nil {
		return event.CommandRecord{}, fmt.Errorf("look up command %s: %w", commandID, err)
	}
	return c, nil
}

const recordColumns = `position, stream_id, stream_version, event_id, event_type, schema_version,
	data, data_sha256, metadata, metadata_sha256, actor, coalesce(command_id, ''),
	coalesce(causation_id, ''), coalesce(correlation_id, ''), occurred_at, recorded_at`

// ReadStream returns the events of stream whose version is above
// afterVersion, in version order; an unknown stream has no events.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64) ([]event.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+recordColumns+` FROM events
		WHERE stream_id = $1 AND stream_version > $2 ORDER BY stream_version`, stream, afterVersion)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("read stream %s: %w", stream, err)
	}
	return recs, nil
}

// ReadAll returns at most limit events that follow the event at position
// after (0: the start) in the log's order. Events are returned only once
// every event before them in that order has committed, so a reader that
// continues from the last position it saw never skips one. It returns
// event.ErrUnknownPosition when no event has position after.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]event.Record, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.pool.Query(ctx, `WITH cursor AS (
			SELECT coalesce((SELECT transaction_id FROM events WHERE position = $1), '0'::xid8) AS tx
		)
		SELECT `+recordColumns+` FROM events, cursor
		WHERE ($1 = 0 OR cursor.tx <> '0'::xid8)
		  AND (events.transaction_id, events.position) > (cursor.tx, $1)
		  AND events.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY events.transaction_id, events.position
		LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", after, err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", after, err)
	}
	if len(recs) == 0 && after > 0 {
		var exists bool
		if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM events WHERE position = $1)`, after).Scan(&exists); err != nil {
			return nil, fmt.Errorf("read log after %d: %w", after, err)
		}
		if !exists {
			return nil, fmt.Errorf("read log after %d: %w", after, event.ErrUnknownPosition)
		}
	}
	return recs, nil
}

// Head returns the position of the last event in the log's order that is
// visible to readers (0 when there is none), and its recorded time.
func (s *Store) Head(ctx context.Context) (int64, time.Time, error) {
	var pos int64
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT position, recorded_at FROM events
		WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
		ORDER BY transaction_id DESC, position DESC LIMIT 1`).Scan(&pos, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("log head: %w", err)
	}
	return pos, at, nil
}

func scanRecords(rows pgx.Rows) ([]event.Record, error) {
	defer rows.Close()
	var out []event.Record
	for rows.Next() {
		var r event.Record
		var dataHash, metaHash []byte
		if err := rows.Scan(&r.Position, &r.StreamID, &r.StreamVersion, &r.ID, &r.Type, &r.SchemaVersion,
			&r.Data, &dataHash, &r.Metadata, &metaHash, &r.Actor, &r.CommandID,
			&r.CausationID, &r.CorrelationID, &r.OccurredAt, &r.RecordedAt); err != nil {
			return nil, err
		}
		copy(r.DataSHA256[:], dataHash)
		copy(r.MetadataSHA256[:], metaHash)
		r.OccurredAt = r.OccurredAt.UTC()
		r.RecordedAt = r.RecordedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func validate(stream string, expected event.ExpectedVersion, events []event.Envelope) error {
	if stream == "" {
		return fmt.Errorf("%w: empty stream id", event.ErrInvalidEvent)
	}
	if expected < event.Any {
		return fmt.Errorf("%w: %s", event.ErrInvalidEvent, expected)
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: no events to append", event.ErrInvalidEvent)
	}
	first := events[0].Cause
	for i, e := range events {
		switch {
		case e.Type == "":
			return fmt.Errorf("%w: event %d has no type", event.ErrInvalidEvent, i)
		case e.SchemaVersion < 1:
			return fmt.Errorf("%w: event %d (%s) has schema version %d", event.ErrInvalidEvent, i, e.Type, e.SchemaVersion)
		case !json.Valid(e.Data):
			return fmt.Errorf("%w: event %d (%s): data is not JSON", event.ErrInvalidEvent, i, e.Type)
		case len(e.Metadata) > 0 && !json.Valid(e.Metadata):
			return fmt.Errorf("%w: event %d (%s): metadata is not JSON", event.ErrInvalidEvent, i, e.Type)
		case e.OccurredAt.IsZero():
			return fmt.Errorf("%w: event %d (%s) has no occurred_at", event.ErrInvalidEvent, i, e.Type)
		case e.Actor != first.Actor || e.CommandID != first.CommandID ||
			e.CausationID != first.CausationID || e.CorrelationID != first.CorrelationID:
			return fmt.Errorf("%w: event %d (%s): all events of an append must share one cause", event.ErrInvalidEvent, i, e.Type)
		}
	}
	return nil
}

func metadataBytes(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// requestFingerprint is the given request hash, or else a SHA-256 over the
// stream and each event's type, schema version and data.
func requestFingerprint(stream string, events []event.Envelope) []byte {
	if h := events[0].RequestSHA256; len(h) > 0 {
		return h
	}
	h := sha256.New()
	field := func(b []byte) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	field([]byte(stream))
	for _, e := range events {
		field([]byte(e.Type))
		field([]byte(strconv.Itoa(e.SchemaVersion)))
		field(e.Data)
	}
	return h.Sum(nil)
}
