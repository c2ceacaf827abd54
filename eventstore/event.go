package eventstore

import (
	"errors"
	"fmt"
	"time"

	"docledger/domain/event"

	"github.com/google/uuid"
)

// Envelope is one event to append. Data and Metadata are JSON and are stored
// as exactly these bytes, with their SHA-256, so that what was appended can be
// hashed and proven later; a store keeps a jsonb copy only for querying.
type Envelope struct {
	// ID is a UUIDv7; a store assigns one when it is zero.
	ID            uuid.UUID
	Type          string
	SchemaVersion int
	Data          []byte
	Metadata      []byte
	// OccurredAt is business time, from the injected clock.
	OccurredAt time.Time
	Cause
}

// Cause says who and what caused an event. All events of one append carry
// the same Cause.
type Cause struct {
	// Actor is who acted: a party user, staff member or system process.
	Actor string
	// CommandID makes the append idempotent: appending again for a command
	// ID that already committed returns the first result and writes nothing.
	CommandID     string
	CausationID   string
	CorrelationID string
	// RequestSHA256 fingerprints the request behind CommandID (for example
	// the hash of a command's payload), so that the same ID sent with a
	// different request is refused. When nil, the store fingerprints the
	// stream and the events' types and data. It is not stored on events.
	RequestSHA256 []byte
}

// CommandRecord is a committed command: what its append did and the
// fingerprint of its request.
type CommandRecord struct {
	CommandID     string
	StreamID      string
	RequestSHA256 []byte
	Result        AppendResult
}

// Record is a stored event.
type Record struct {
	Envelope
	// Position is the event's unique global position. Positions increase
	// within an append; the log's order is the order in which a store's
	// ReadAll returns events, which never changes once an event is read.
	Position       int64
	StreamID       string
	StreamVersion  int64
	DataSHA256     [32]byte
	MetadataSHA256 [32]byte
	// RecordedAt is the store's own time of the commit.
	RecordedAt time.Time
}

// AppendResult is what an append did.
type AppendResult struct {
	// StreamVersion is the stream's version after the append: the version
	// of its last event. Stream versions start at 1.
	StreamVersion int64
	// FirstPosition and LastPosition are the global positions of the first
	// and last appended events.
	FirstPosition int64
	LastPosition  int64
	// Duplicate is true when the command ID had already committed and this
	// result is the first append's, replayed: nothing was written.
	Duplicate bool
}

// ExpectedVersion is the stream version an append expects to find. A
// positive value is an exact version; NoStream and Any are special.
type ExpectedVersion int64

const (
	// NoStream expects the stream to have no events.
	NoStream ExpectedVersion = 0
	// Any appends whatever the stream's version.
	Any ExpectedVersion = -1
)

func (v ExpectedVersion) String() string {
	switch {
	case v == Any:
		return "any"
	case v == NoStream:
		return "no stream"
	case v > 0:
		return fmt.Sprintf("version %d", int64(v))
	}
	return fmt.Sprintf("invalid expected version %d", int64(v))
}

// ConflictError is returned when a stream's version is not the expected one.
type ConflictError struct {
	Stream   string
	Expected ExpectedVersion
	// Actual is the stream's version at the time of the append (0: no events).
	Actual int64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("stream %q: expected %s, actual version %d", e.Stream, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrConflict) true for every ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

var (
	// ErrConflict matches every *ConflictError.
	ErrConflict = errors.New("wrong expected version")
	// ErrCommandReused is returned when a command ID that already committed
	// is appended again with a different stream or payload.
	ErrCommandReused = errors.New("command id already used with a different payload")
	// ErrInvalidEvent is returned for an envelope a store cannot store: an
	// empty type, data or metadata that is not JSON, no events at all.
	ErrInvalidEvent = errors.New("invalid event")
	// ErrCommandNotFound is returned when no command with an ID committed.
	ErrCommandNotFound = errors.New("command not found")
	// ErrNoSnapshot is returned by a snapshot store for a stream without one.
	ErrNoSnapshot = errors.New("no snapshot")
	// ErrUnknownPosition is returned by ReadAll for a position no event has.
	ErrUnknownPosition = errors.New("unknown log position")
)

// Encode returns the envelope of payload at its current schema version in
// reg, without ID, time or cause: the caller sets those.
func Encode(reg *event.Registry, payload event.Payload) (Envelope, error) {
	enc, err := reg.Encode(payload)
	if err != nil {
		return Envelope{}, err
	}
	return Envelope{Type: enc.Type, SchemaVersion: enc.SchemaVersion, Data: enc.Data}, nil
}
