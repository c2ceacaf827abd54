// Package pgstore is docledger's PostgreSQL event store.
//
// Every append is one INSERT statement: the idempotency check, the
// optimistic-concurrency check and the inserts run in one round trip and one
// commit. Readers of the global log
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
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"docledger/eventstore"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the LISTEN/NOTIFY channel that announces new events.
const Channel = "ledger_events"

// Options tune a Store.
type Options struct {
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
	wake   *eventstore.Broadcast
	notify chan struct{}
	done   chan struct{}
	// ctx ends with Close; background work (notifier, listener, release
	// watch) runs under it.
	ctx    context.Context
	cancel context.CancelFunc
	watch  struct {
		sync.Mutex
		running, again bool
	}
}

// New returns a store on pool, whose schema the migrations have made, and
// starts its notifier and listener. Close stops them.
func New(pool *pgxpool.Pool, opts Options) *Store {
	if pool == nil {
		panic("pgstore: nil pool")
	}
	if opts.NotifyInterval <= 0 {
		opts.NotifyInterval = 5 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{
		pool:   pool,
		opts:   opts,
		wake:   eventstore.NewBroadcast(),
		notify: make(chan struct{}, 1),
		done:   make(chan struct{}),
		ctx:    ctx,
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
// positions. It returns a *eventstore.ConflictError (errors.Is eventstore.ErrConflict)
// carrying the actual version when the stream is elsewhere,
// eventstore.ErrCommandReused when the events' command ID committed before with a
// different request, and eventstore.ErrInvalidEvent for events it cannot store.
// Appending again for a command ID that committed returns the first result
// with Duplicate set and writes nothing.
//
// An append is one INSERT statement: one round trip and one commit. The
// unique (stream_id, stream_version) key is the concurrency check (two
// appends at one expected version insert the same version; one commits),
// and the statement inserts nothing unless the expected version exists, so
// a stream never has gaps.
func (s *Store) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Envelope) (eventstore.AppendResult, error) {
	if err := eventstore.ValidateAppend(stream, expected, events); err != nil {
		return eventstore.AppendResult{}, err
	}
	cause := events[0].Cause
	var commandID any
	var requestHash []byte
	if cause.CommandID != "" {
		commandID = cause.CommandID
		requestHash = eventstore.RequestFingerprint(stream, events)
	}
	args := []any{stream, int64(expected), nil, nil, nil, nil, nil,
		cause.Actor, commandID, nullable(cause.CausationID), nullable(cause.CorrelationID), nil}
	if len(events) == 1 {
		e := events[0]
		args[2], args[3], args[4], args[5], args[6], args[11] = eventID(e.ID), e.Type, int32(e.SchemaVersion), e.Data, metadataBytes(e.Metadata), e.OccurredAt
	} else {
		n := len(events)
		ids, types, versions := make([]uuid.UUID, n), make([]string, n), make([]int32, n)
		data, meta, occurred := make([][]byte, n), make([][]byte, n), make([]time.Time, n)
		for i, e := range events {
			ids[i], types[i], versions[i] = eventID(e.ID), e.Type, int32(e.SchemaVersion)
			data[i], meta[i], occurred[i] = e.Data, metadataBytes(e.Metadata), e.OccurredAt
		}
		args[2], args[3], args[4], args[5], args[6], args[11] = ids, types, versions, data, meta, occurred
	}
	query := appendSQL[len(events) > 1][commandID != nil][expected == eventstore.Any]
	if commandID != nil {
		args = append(args, requestHash)
	}
	for attempt := 0; ; attempt++ {
		res, err := s.insert(ctx, query, args)
		if err == nil && res.StreamVersion > 0 {
			s.announce()
			return res, nil
		}
		if err == nil { // nothing inserted: a known command, or the expected version is not there
			if commandID != nil {
				if prior, lerr := s.Command(ctx, cause.CommandID); lerr == nil {
					return duplicateOf(prior, stream, requestHash)
				}
			}
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
		}
		switch {
		case pgErr.Code == "23505" && pgErr.ConstraintName == "events_stream_version_key":
			if expected == eventstore.Any && attempt < 20 {
				continue // another append took the version; build on the new one
			}
			return eventstore.AppendResult{}, s.conflict(ctx, stream, expected)
		case pgErr.Code == "23505" && pgErr.ConstraintName == "commands_pkey":
			// The same command committed concurrently: answer as a duplicate.
			prior, lerr := s.Command(ctx, cause.CommandID)
			if lerr != nil {
				return eventstore.AppendResult{}, fmt.Errorf("append to %s: look up concurrent command: %w", stream, lerr)
			}
			return duplicateOf(prior, stream, requestHash)
		case pgErr.Code == "23505" && pgErr.ConstraintName == "events_event_id_key":
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: event id already stored", stream, eventstore.ErrInvalidEvent)
		case pgErr.Code == "22P02" || pgErr.Code == "22021" || pgErr.Code == "22023":
			return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w: %s", stream, eventstore.ErrInvalidEvent, pgErr.Message)
		}
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: %w", stream, err)
	}
}

func eventID(id uuid.UUID) uuid.UUID {
	if id == uuid.Nil {
		return uuid.Must(uuid.NewV7())
	}
	return id
}

// insert runs an append statement and sums up the rows it inserted; a zero
// StreamVersion means it inserted none.
func (s *Store) insert(ctx context.Context, query string, args []any) (eventstore.AppendResult, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return eventstore.AppendResult{}, err
	}
	defer rows.Close()
	var res eventstore.AppendResult
	for rows.Next() {
		var pos, version int64
		if err := rows.Scan(&pos, &version); err != nil {
			return eventstore.AppendResult{}, err
		}
		if res.FirstPosition == 0 || pos < res.FirstPosition {
			res.FirstPosition = pos
		}
		res.LastPosition = max(res.LastPosition, pos)
		res.StreamVersion = max(res.StreamVersion, version)
	}
	return res, rows.Err()
}

// conflict builds the ConflictError of stream with its actual version.
func (s *Store) conflict(ctx context.Context, stream string, expected eventstore.ExpectedVersion) error {
	var actual int64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1`, stream).Scan(&actual); err != nil {
		return fmt.Errorf("append to %s: read actual version: %w", stream, err)
	}
	return &eventstore.ConflictError{Stream: stream, Expected: expected, Actual: actual}
}

func duplicateOf(prior eventstore.CommandRecord, stream string, requestHash []byte) (eventstore.AppendResult, error) {
	if prior.StreamID != stream || !bytes.Equal(prior.RequestSHA256, requestHash) {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: command %s: %w", stream, prior.CommandID, eventstore.ErrCommandReused)
	}
	return prior.Result, nil
}

// appendSQL holds the append statements: [batch][with command id][any].
// Parameters: $1 stream, $2 expected version, $3..$7 event id, type, schema
// version, data, metadata (arrays for a batch), $8 actor, $9 command id,
// $10 causation id, $11 correlation id, $12 occurred_at (array for a
// batch), $13 request hash (with a command id). The statements are simple
// enough for PostgreSQL's generic plans, so they are planned once per
// connection, not at every append.
var appendSQL = func() map[bool]map[bool]map[bool]string {
	m := map[bool]map[bool]map[bool]string{}
	for _, batch := range []bool{false, true} {
		m[batch] = map[bool]map[bool]string{}
		for _, cmd := range []bool{false, true} {
			m[batch][cmd] = map[bool]string{}
			for _, any := range []bool{false, true} {
				// Exact versions build on $2 and check that it exists; "any"
				// builds on the stream's current version.
				base, from, where := "$2::bigint", "", "($2::bigint = 0 OR EXISTS (SELECT FROM events WHERE stream_id = $1 AND stream_version = $2::bigint))"
				if any {
					base, from, where = "v.base", "(SELECT coalesce(max(stream_version), 0) AS base FROM events WHERE stream_id = $1) v", "$2::bigint = -1"
				}
				if cmd {
					where += " AND NOT EXISTS (SELECT FROM commands WHERE command_id = $9)"
				}
				q := insertOne
				fromClause := ""
				if from != "" {
					fromClause = "FROM " + from
				}
				if batch {
					q = insertBatch
					fromClause = "FROM " + from
					if from != "" {
						fromClause += ","
					}
				}
				q = strings.NewReplacer("{base}", base, "{from}", fromClause, "{where}", where).Replace(q)
				if cmd {
					q = withCommand(q)
				}
				m[batch][cmd][any] = q
			}
		}
	}
	return m
}()

const (
	insertColumns = `INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
		data, data_sha256, data_json, metadata, metadata_sha256, actor, command_id, causation_id, correlation_id, occurred_at)`
	insertOne = insertColumns + `
		SELECT $1, {base} + 1, $3, $4, $5, $6, sha256($6), convert_from($6, 'UTF8')::jsonb, $7, sha256($7),
			$8, $9, $10, $11, $12
		{from}
		WHERE {where}
		RETURNING position, stream_version`
	insertBatch = insertColumns + `
		SELECT $1, {base} + e.ord, e.id, e.typ, e.ver, e.dat, sha256(e.dat), convert_from(e.dat, 'UTF8')::jsonb,
			e.meta, sha256(e.meta), $8, $9, $10, $11, e.occ
		{from}
			unnest($3::uuid[], $4::text[], $5::integer[], $6::bytea[], $7::bytea[], $12::timestamptz[])
				WITH ORDINALITY AS e(id, typ, ver, dat, meta, occ, ord)
		WHERE {where}
		ORDER BY e.ord
		RETURNING position, stream_version`
)

// withCommand makes an append statement idempotent: it inserts nothing for
// a command ID that committed, and records the command with its result.
func withCommand(insert string) string {
	return `WITH ins AS (` + insert + `), cmd AS (
		INSERT INTO commands (command_id, request_sha256, stream_id, stream_version, first_position, last_position)
		SELECT $9, $13, $1, max(stream_version), min(position), max(position) FROM ins HAVING count(*) > 0
	)
	SELECT position, stream_version FROM ins`
}

// Command returns the committed command with the given ID, or
// eventstore.ErrCommandNotFound.
func (s *Store) Command(ctx context.Context, commandID string) (eventstore.CommandRecord, error) {
	c := eventstore.CommandRecord{CommandID: commandID, Result: eventstore.AppendResult{Duplicate: true}}
	err := s.pool.QueryRow(ctx, `SELECT stream_id, request_sha256, stream_version, first_position, last_position
		FROM commands WHERE command_id = $1`, commandID).
		Scan(&c.StreamID, &c.RequestSHA256, &c.Result.StreamVersion, &c.Result.FirstPosition, &c.Result.LastPosition)
	if errors.Is(err, pgx.ErrNoRows) {
		return eventstore.CommandRecord{}, eventstore.ErrCommandNotFound
	}
	if err != nil {
		return eventstore.CommandRecord{}, fmt.Errorf("look up command %s: %w", commandID, err)
	}
	return c, nil
}

// recordColumns are the columns of an eventstore.Record, of events aliased e.
const recordColumns = `e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
	e.data, e.data_sha256, e.metadata, e.metadata_sha256, e.actor, coalesce(e.command_id, ''),
	coalesce(e.causation_id, ''), coalesce(e.correlation_id, ''), e.occurred_at, e.recorded_at`

// ReadStream returns the events of stream whose version is above
// afterVersion, in version order; an unknown stream has no events.
func (s *Store) ReadStream(ctx context.Context, stream string, afterVersion int64) ([]eventstore.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+recordColumns+` FROM events e
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
// eventstore.ErrUnknownPosition when no event has position after.
func (s *Store) ReadAll(ctx context.Context, after int64, limit int) ([]eventstore.Record, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.pool.Query(ctx, `WITH `+logCursor+`
		SELECT `+recordColumns+` FROM events e, cursor
		WHERE `+afterCursor+`
		ORDER BY e.transaction_id, e.position
		LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", after, err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("read log after %d: %w", after, err)
	}
	if len(recs) == 0 {
		return nil, s.caughtUp(ctx, after)
	}
	return recs, nil
}

// wantedColumns are recordColumns with the payload (data, metadata and
// their hashes) only for the events a ReadTypes reader wants.
const wantedColumns = `e.position, e.stream_id, e.stream_version, e.event_id, e.event_type, e.schema_version,
	CASE WHEN f.wanted THEN e.data END, CASE WHEN f.wanted THEN e.data_sha256 END,
	CASE WHEN f.wanted THEN e.metadata END, CASE WHEN f.wanted THEN e.metadata_sha256 END,
	e.actor, coalesce(e.command_id, ''), coalesce(e.causation_id, ''), coalesce(e.correlation_id, ''),
	e.occurred_at, e.recorded_at`

// logCursor and afterCursor select, in the log's order, the events after
// position $1 that every reader can see: those of transactions older than
// the oldest running one.
const (
	logCursor = `cursor AS (
			SELECT coalesce((SELECT transaction_id FROM events WHERE position = $1), '0'::xid8) AS tx
		)`
	afterCursor = `($1 = 0 OR cursor.tx <> '0'::xid8)
		  AND (e.transaction_id, e.position) > (cursor.tx, $1)
		  AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())`
)

// ReadTypes is ReadAll for a reader that wants only some event types: it
// scans up to limit events after position after, returns those whose type
// starts with one of prefixes, and the position of the last event scanned
// (0 when there was none), from which the reader continues. The payloads of
// the events it skips are not sent over the wire.
func (s *Store) ReadTypes(ctx context.Context, after int64, limit int, prefixes []string) ([]eventstore.Record, int64, error) {
	if limit <= 0 {
		limit = 1000
	}
	patterns := make([]string, len(prefixes))
	for i, p := range prefixes {
		patterns[i] = likeEscaper.Replace(p) + "%"
	}
	rows, err := s.pool.Query(ctx, `WITH `+logCursor+`
		SELECT `+wantedColumns+`, f.wanted
		FROM events e, cursor, LATERAL (SELECT e.event_type LIKE ANY ($3::text[]) AS wanted) f
		WHERE `+afterCursor+`
		ORDER BY e.transaction_id, e.position
		LIMIT $2`, after, limit, patterns)
	if err != nil {
		return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
	}
	defer rows.Close()
	var recs []eventstore.Record
	var last int64
	for rows.Next() {
		var r eventstore.Record
		var wanted bool
		if err := rows.Scan(append(recordTargets(&r), &wanted)...); err != nil {
			return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
		}
		last = r.Position
		if wanted {
			recs = append(recs, normalize(r))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("read log after %d: %w", after, err)
	}
	if last == 0 {
		return nil, 0, s.caughtUp(ctx, after)
	}
	return recs, last, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// caughtUp is called when a read after position after found nothing. It
// returns eventstore.ErrUnknownPosition when after names no event, and
// starts the release watch when events after it are committed but were not
// readable (an older transaction of the cluster still runs): their readers
// are woken when they become readable.
func (s *Store) caughtUp(ctx context.Context, after int64) error {
	var known, more bool
	err := s.pool.QueryRow(ctx, `WITH `+logCursor+`
		SELECT $1 = 0 OR cursor.tx <> '0'::xid8,
			EXISTS (SELECT FROM events e WHERE (e.transaction_id, e.position) > (cursor.tx, $1))
		FROM cursor`, after).Scan(&known, &more)
	if err != nil {
		return fmt.Errorf("read log after %d: %w", after, err)
	}
	if !known {
		return fmt.Errorf("read log after %d: %w", after, eventstore.ErrUnknownPosition)
	}
	if more {
		s.watchRelease()
	}
	return nil
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

func scanRecords(rows pgx.Rows) ([]eventstore.Record, error) {
	defer rows.Close()
	var out []eventstore.Record
	for rows.Next() {
		var r eventstore.Record
		if err := rows.Scan(recordTargets(&r)...); err != nil {
			return nil, err
		}
		out = append(out, normalize(r))
	}
	return out, rows.Err()
}

// recordTargets are the scan targets of recordColumns. The hashes land in
// the record's arrays (pgx scans bytea into a byte slice of the array).
func recordTargets(r *eventstore.Record) []any {
	return []any{&r.Position, &r.StreamID, &r.StreamVersion, &r.ID, &r.Type, &r.SchemaVersion,
		&r.Data, (*hash)(&r.DataSHA256), &r.Metadata, (*hash)(&r.MetadataSHA256), &r.Actor, &r.CommandID,
		&r.CausationID, &r.CorrelationID, &r.OccurredAt, &r.RecordedAt}
}

func normalize(r eventstore.Record) eventstore.Record {
	r.OccurredAt = r.OccurredAt.UTC()
	r.RecordedAt = r.RecordedAt.UTC()
	return r
}

// hash scans a bytea SHA-256 into a [32]byte.
type hash [32]byte

// ScanBytes implements pgtype.BytesScanner. NULL (a payload left out) leaves
// the hash zero.
func (h *hash) ScanBytes(b []byte) error {
	if b == nil {
		*h = hash{}
		return nil
	}
	if len(b) != len(h) {
		return fmt.Errorf("sha256 of %d bytes", len(b))
	}
	copy(h[:], b)
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
