package esdbstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"docledger/eventstore"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// This file holds the pure mapping between docledger's events and
// EventStoreDB's: versions and revisions, the metadata wrapper, event IDs,
// stream names and the parsing of the client's conflict message. None of it
// talks to a server, so all of it is unit-tested.

// CommandStreamPrefix starts the name of the stream that records a command:
// "ledger-command-" followed by the command ID. Appends to streams with this
// prefix are refused, and readers of the log skip them.
const CommandStreamPrefix = "ledger-command-"

// commandRecordedType is the event type of a command stream's record.
const commandRecordedType = "ledger.command-recorded"

// SnapshotStreamPrefix starts the name of the stream that keeps a stream's
// snapshot: "ledger-snapshot-" followed by the stream's name. The stream
// has $maxCount 1 (only the latest snapshot is kept). Appends to streams
// with this prefix are refused, and readers of the log skip them.
const SnapshotStreamPrefix = "ledger-snapshot-"

// snapshotType is the event type of a snapshot.
const snapshotType = "ledger.snapshot"

// wrapperFormat is the version of the metadata wrapper.
const wrapperFormat = 1

// idNamespace is the UUIDv5 namespace of the event IDs derived from command
// IDs. Never change it: retries would no longer produce the IDs that
// EventStoreDB deduplicates.
var idNamespace = uuid.MustParse("76ee0050-458f-4e39-9f47-b371e44134cf")

// ErrIntegrity is returned when a stored event does not match the SHA-256
// recorded in its own metadata wrapper, or its wrapper cannot be read.
var ErrIntegrity = errors.New("stored event fails its integrity check")

// expectedRevision maps our expected version to EventStoreDB's: our stream
// versions start at 1 and ESDB revisions at 0, so version v is revision v-1.
func expectedRevision(v eventstore.ExpectedVersion) (esdb.ExpectedRevision, error) {
	switch {
	case v == eventstore.Any:
		return esdb.Any{}, nil
	case v == eventstore.NoStream:
		return esdb.NoStream{}, nil
	case v > 0:
		return esdb.Revision(uint64(v) - 1), nil
	}
	return nil, fmt.Errorf("%w: %s", eventstore.ErrInvalidEvent, v)
}

// versionOf is the stream version of the event at ESDB revision rev.
func versionOf(rev uint64) int64 { return int64(rev) + 1 }

// wrongVersionMessage matches the message of the client's
// ErrorCodeWrongExpectedVersion error (EventStore-Client-Go v4.1.0,
// client.go): "wrong expected version: expecting '<e>' but got '<c>'".
var wrongVersionMessage = regexp.MustCompile(`expecting '[^']*' but got '([^']*)'`)

// actualVersionFromMessage reads the stream's actual version out of the
// client's wrong-expected-version message: "no_stream" is version 0, a
// revision r is version r+1. ok is false when the message has another shape.
func actualVersionFromMessage(msg string) (version int64, ok bool) {
	m := wrongVersionMessage.FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	if m[1] == "no_stream" {
		return 0, true
	}
	rev, err := strconv.ParseUint(m[1], 10, 63)
	if err != nil {
		return 0, false
	}
	return versionOf(rev), true
}

// isCode reports whether err is an EventStoreDB client error with code.
func isCode(err error, code esdb.ErrorCode) bool {
	var esErr *esdb.Error
	return errors.As(err, &esErr) && esErr.IsErrorCode(code)
}

// isWrongExpectedVersion reports whether err is ESDB's refusal of an append
// at the wrong expected revision.
func isWrongExpectedVersion(err error) bool {
	return isCode(err, esdb.ErrorCodeWrongExpectedVersion)
}

// isRetryable reports whether an append may be sent again with the same
// event IDs: the server timed out or was unreachable, and deduplication by
// event ID makes a second send of an append that did commit harmless.
func isRetryable(err error) bool {
	return isCode(err, esdb.ErrorCodeDeadlineExceeded) || isCode(err, esdb.ErrorUnavailable) ||
		isCode(err, esdb.ErrorAborted)
}

// isInvalidPosition reports whether err is the server's refusal to read
// $all from a position that is no record's start (gRPC InvalidArgument,
// "Trying to read from an invalid position."), which the client passes on
// as an unclassified error.
func isInvalidPosition(err error) bool {
	return err != nil && status.Code(err) == codes.InvalidArgument &&
		strings.Contains(strings.ToLower(err.Error()), "invalid position")
}

// commandStream is the stream that records command id.
func commandStream(commandID string) string { return CommandStreamPrefix + commandID }

// snapshotStream is the stream that keeps the snapshot of stream.
func snapshotStream(stream string) string { return SnapshotStreamPrefix + stream }

// skipInLog reports whether an event of $all is no docledger event: ESDB's
// own streams and event types (starting with $), the command records and
// the snapshots.
func skipInLog(streamID, eventType string) bool {
	return strings.HasPrefix(streamID, "$") || strings.HasPrefix(eventType, "$") ||
		strings.HasPrefix(streamID, CommandStreamPrefix) || strings.HasPrefix(streamID, SnapshotStreamPrefix)
}

// hasTypePrefix reports whether eventType starts with one of prefixes,
// compared literally (no pattern characters).
func hasTypePrefix(eventType string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(eventType, p) {
			return true
		}
	}
	return false
}

// startOf is where a read of $all that continues after position after
// starts: the start of $all for 0, else the event's own record (which the
// read then skips). A negative position is eventstore.ErrUnknownPosition.
func startOf(after int64) (esdb.AllPosition, error) {
	switch {
	case after < 0:
		return nil, fmt.Errorf("read log after %d: %w", after, eventstore.ErrUnknownPosition)
	case after == 0:
		return esdb.Start{}, nil
	}
	return esdb.Position{Commit: uint64(after), Prepare: uint64(after)}, nil
}

// positionOf is our position of an ESDB event: its commit position in $all.
func positionOf(ev *esdb.RecordedEvent) (int64, error) {
	if ev.Position.Commit > math.MaxInt64 {
		return 0, fmt.Errorf("event %d of %s: commit position %d does not fit a position", ev.EventNumber, ev.StreamID, ev.Position.Commit)
	}
	return int64(ev.Position.Commit), nil
}

// esdbEventID is the event ID EventStoreDB stores for event i of an append.
// Without a command ID it is the envelope's own ID. With one, it is a UUIDv5
// of the command ID and i, so that every retry of the command sends the same
// IDs and ESDB recognises the events it already holds; the envelope's ID is
// then kept in the metadata wrapper.
func esdbEventID(commandID string, i int, own uuid.UUID) uuid.UUID {
	if commandID == "" {
		return own
	}
	return uuid.NewSHA1(idNamespace, []byte(commandID+"\x00"+strconv.Itoa(i)))
}

// wrapper is the JSON that docledger stores as an ESDB event's metadata: the
// fields of an event ESDB has no place for, the SHA-256 of the data and of
// the caller's metadata, and the caller's metadata bytes themselves.
type wrapper struct {
	Format        int    `json:"docledger"`
	ID            string `json:"id"`
	SchemaVersion int    `json:"schema_version"`
	OccurredAt    string `json:"occurred_at"`
	Actor         string `json:"actor,omitempty"`
	CommandID     string `json:"command_id,omitempty"`
	CausationID   string `json:"causation_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	// RequestSHA256 is the fingerprint of the command's request (hex), on
	// the events of appends with a command ID.
	RequestSHA256  string `json:"request_sha256,omitempty"`
	DataSHA256     string `json:"data_sha256"`
	MetadataSHA256 string `json:"metadata_sha256"`
	// The caller's metadata is either Metadata, spliced in as the exact
	// bytes, or MetadataB64 when its bytes would not survive as a raw JSON
	// value (leading or trailing whitespace).
	MetadataB64 []byte          `json:"metadata_b64,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
}

// metadataBytes is the metadata stored for an envelope: empty metadata is
// stored as {} (as the PostgreSQL store does).
func metadataBytes(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// rawSafe reports whether b, valid JSON, comes back byte for byte when
// spliced into the wrapper as a raw JSON value and decoded into a
// json.RawMessage: the decoder keeps a value's bytes exactly but not the
// whitespace around it.
func rawSafe(b []byte) bool {
	if len(b) == 0 || !json.Valid(b) {
		return false
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	return !isSpace(b[0]) && !isSpace(b[len(b)-1])
}

// encodeMetadata returns the ESDB metadata of e: the wrapper with the
// caller's metadata (already normalised by metadataBytes) carried verbatim.
func encodeMetadata(e eventstore.Envelope, id uuid.UUID, meta []byte, requestHash []byte) ([]byte, error) {
	dataSum := sha256.Sum256(e.Data)
	metaSum := sha256.Sum256(meta)
	w := wrapper{
		Format:         wrapperFormat,
		ID:             id.String(),
		SchemaVersion:  e.SchemaVersion,
		OccurredAt:     e.OccurredAt.UTC().Format(time.RFC3339Nano),
		Actor:          e.Actor,
		CommandID:      e.CommandID,
		CausationID:    e.CausationID,
		CorrelationID:  e.CorrelationID,
		DataSHA256:     hex.EncodeToString(dataSum[:]),
		MetadataSHA256: hex.EncodeToString(metaSum[:]),
	}
	if len(requestHash) > 0 {
		w.RequestSHA256 = hex.EncodeToString(requestHash)
	}
	raw := rawSafe(meta)
	if !raw {
		w.MetadataB64 = meta
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("encode metadata wrapper: %w", err)
	}
	if raw {
		// json.Marshal would compact and re-escape a RawMessage, so the
		// caller's bytes are spliced in after marshalling instead.
		out := make([]byte, 0, len(b)+len(meta)+12)
		out = append(out, b[:len(b)-1]...)
		out = append(out, `,"metadata":`...)
		out = append(out, meta...)
		out = append(out, '}')
		b = out
	}
	return b, nil
}

// decoded is what the wrapper of a stored event says.
type decoded struct {
	ID             uuid.UUID
	SchemaVersion  int
	OccurredAt     time.Time
	Cause          eventstore.Cause
	RequestSHA256  []byte
	Metadata       []byte
	MetadataSHA256 [32]byte
	DataSHA256     [32]byte
}

// decodeMetadata reads the wrapper of an event whose data is data, and
// checks both hashes against the stored bytes.
func decodeMetadata(stored, data []byte) (decoded, error) {
	var w wrapper
	if err := json.Unmarshal(stored, &w); err != nil {
		return decoded{}, fmt.Errorf("%w: metadata wrapper: %v", ErrIntegrity, err)
	}
	if w.Format != wrapperFormat {
		return decoded{}, fmt.Errorf("%w: not a docledger event (wrapper format %d)", ErrIntegrity, w.Format)
	}
	var d decoded
	var err error
	if d.ID, err = uuid.Parse(w.ID); err != nil {
		return decoded{}, fmt.Errorf("%w: event id %q: %v", ErrIntegrity, w.ID, err)
	}
	if d.OccurredAt, err = time.Parse(time.RFC3339Nano, w.OccurredAt); err != nil {
		return decoded{}, fmt.Errorf("%w: occurred_at %q: %v", ErrIntegrity, w.OccurredAt, err)
	}
	d.OccurredAt = d.OccurredAt.UTC()
	switch {
	case w.Metadata != nil && w.MetadataB64 == nil:
		d.Metadata = []byte(w.Metadata)
	case w.Metadata == nil && w.MetadataB64 != nil:
		d.Metadata = w.MetadataB64
	default:
		return decoded{}, fmt.Errorf("%w: wrapper must carry the metadata exactly once", ErrIntegrity)
	}
	if w.RequestSHA256 != "" {
		if d.RequestSHA256, err = hex.DecodeString(w.RequestSHA256); err != nil {
			return decoded{}, fmt.Errorf("%w: request hash: %v", ErrIntegrity, err)
		}
	}
	d.DataSHA256 = sha256.Sum256(data)
	d.MetadataSHA256 = sha256.Sum256(d.Metadata)
	if hex.EncodeToString(d.DataSHA256[:]) != w.DataSHA256 {
		return decoded{}, fmt.Errorf("%w: data does not match its SHA-256", ErrIntegrity)
	}
	if hex.EncodeToString(d.MetadataSHA256[:]) != w.MetadataSHA256 {
		return decoded{}, fmt.Errorf("%w: metadata does not match its SHA-256", ErrIntegrity)
	}
	d.SchemaVersion = w.SchemaVersion
	d.Cause = eventstore.Cause{Actor: w.Actor, CommandID: w.CommandID, CausationID: w.CausationID, CorrelationID: w.CorrelationID}
	return d, nil
}

// recordOf turns a stored ESDB event into our record. Our Position is the
// event's commit position in $all.
func recordOf(ev *esdb.RecordedEvent) (eventstore.Record, decoded, error) {
	d, err := decodeMetadata(ev.UserMetadata, ev.Data)
	if err != nil {
		return eventstore.Record{}, decoded{}, fmt.Errorf("event %d of %s: %w", ev.EventNumber, ev.StreamID, err)
	}
	pos, err := positionOf(ev)
	if err != nil {
		return eventstore.Record{}, decoded{}, err
	}
	r := eventstore.Record{
		Envelope: eventstore.Envelope{
			ID:            d.ID,
			Type:          ev.EventType,
			SchemaVersion: d.SchemaVersion,
			Data:          ev.Data,
			Metadata:      d.Metadata,
			OccurredAt:    d.OccurredAt,
			Cause:         d.Cause,
		},
		Position:       pos,
		StreamID:       ev.StreamID,
		StreamVersion:  versionOf(ev.EventNumber),
		DataSHA256:     d.DataSHA256,
		MetadataSHA256: d.MetadataSHA256,
		RecordedAt:     ev.CreatedDate.UTC(),
	}
	return r, d, nil
}

// commandRecord is the data of a command stream's event.
type commandRecord struct {
	CommandID     string `json:"command_id"`
	StreamID      string `json:"stream_id"`
	RequestSHA256 string `json:"request_sha256"`
	StreamVersion int64  `json:"stream_version"`
	FirstPosition int64  `json:"first_position"`
	LastPosition  int64  `json:"last_position"`
}

func encodeCommandRecord(c eventstore.CommandRecord) ([]byte, error) {
	return json.Marshal(commandRecord{
		CommandID:     c.CommandID,
		StreamID:      c.StreamID,
		RequestSHA256: hex.EncodeToString(c.RequestSHA256),
		StreamVersion: c.Result.StreamVersion,
		FirstPosition: c.Result.FirstPosition,
		LastPosition:  c.Result.LastPosition,
	})
}

// decodeCommandRecord reads a command stream's record; the result it
// returns is marked Duplicate, as every later answer from it is.
func decodeCommandRecord(data []byte) (eventstore.CommandRecord, error) {
	var r commandRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return eventstore.CommandRecord{}, fmt.Errorf("%w: command record: %v", ErrIntegrity, err)
	}
	h, err := hex.DecodeString(r.RequestSHA256)
	if err != nil || len(h) == 0 {
		return eventstore.CommandRecord{}, fmt.Errorf("%w: command record: request hash %q", ErrIntegrity, r.RequestSHA256)
	}
	return eventstore.CommandRecord{
		CommandID:     r.CommandID,
		StreamID:      r.StreamID,
		RequestSHA256: h,
		Result: eventstore.AppendResult{
			StreamVersion: r.StreamVersion,
			FirstPosition: r.FirstPosition,
			LastPosition:  r.LastPosition,
			Duplicate:     true,
		},
	}, nil
}

// answerFromRecord is the answer to an append of command c to stream with
// request fingerprint fp, given the command's record.
func answerFromRecord(rec eventstore.CommandRecord, stream string, fp []byte) (eventstore.AppendResult, error) {
	if rec.StreamID != stream || !bytes.Equal(rec.RequestSHA256, fp) {
		return eventstore.AppendResult{}, fmt.Errorf("append to %s: command %s: %w", stream, rec.CommandID, eventstore.ErrCommandReused)
	}
	res := rec.Result
	res.Duplicate = true
	return res, nil
}

// validate refuses what no store can store (eventstore.ValidateAppend) and the
// stream names and event types this store reserves.
func validate(stream string, expected eventstore.ExpectedVersion, events []eventstore.Envelope) error {
	switch {
	case strings.HasPrefix(stream, "$"):
		return fmt.Errorf("%w: stream %q: names starting with $ are EventStoreDB's system streams", eventstore.ErrInvalidEvent, stream)
	case strings.HasPrefix(stream, CommandStreamPrefix):
		return fmt.Errorf("%w: stream %q: the prefix %s is reserved for command records", eventstore.ErrInvalidEvent, stream, CommandStreamPrefix)
	case strings.HasPrefix(stream, SnapshotStreamPrefix):
		return fmt.Errorf("%w: stream %q: the prefix %s is reserved for snapshots", eventstore.ErrInvalidEvent, stream, SnapshotStreamPrefix)
	}
	for i, e := range events {
		if strings.HasPrefix(e.Type, "$") {
			return fmt.Errorf("%w: event %d: type %q: types starting with $ are EventStoreDB's", eventstore.ErrInvalidEvent, i, e.Type)
		}
	}
	return eventstore.ValidateAppend(stream, expected, events)
}

// requestFingerprint is eventstore.RequestFingerprint: the same fingerprint as
// the PostgreSQL store's.
func requestFingerprint(stream string, events []eventstore.Envelope) []byte {
	return eventstore.RequestFingerprint(stream, events)
}

// snapshotMeta is the ESDB metadata of a snapshot event: the version of the
// stream the state is the snapshot of. The state itself is the event's
// data, stored as given (content type binary: a state need not be JSON).
type snapshotMeta struct {
	Format  int   `json:"docledger_snapshot"`
	Version int64 `json:"version"`
}

// encodeSnapshotMeta returns the metadata of the snapshot at version.
func encodeSnapshotMeta(version int64) ([]byte, error) {
	if version < 1 {
		return nil, fmt.Errorf("snapshot at version %d: versions start at 1", version)
	}
	return json.Marshal(snapshotMeta{Format: 1, Version: version})
}

// decodeSnapshotMeta reads the version out of a snapshot's metadata.
func decodeSnapshotMeta(meta []byte) (int64, error) {
	var m snapshotMeta
	if err := json.Unmarshal(meta, &m); err != nil {
		return 0, fmt.Errorf("%w: snapshot metadata: %v", ErrIntegrity, err)
	}
	if m.Format != 1 || m.Version < 1 {
		return 0, fmt.Errorf("%w: snapshot metadata %s", ErrIntegrity, meta)
	}
	return m.Version, nil
}
