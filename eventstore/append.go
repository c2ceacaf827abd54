package eventstore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
)

// ValidateAppend refuses, with ErrInvalidEvent, what no store can store: an
// empty stream id, an invalid expected version, no events, an event without
// a type, schema version or occurred_at, data or metadata that is not JSON,
// and events of one append with different causes. Every store calls it
// before writing.
func ValidateAppend(stream string, expected ExpectedVersion, events []Envelope) error {
	if stream == "" {
		return fmt.Errorf("%w: empty stream id", ErrInvalidEvent)
	}
	if expected < Any {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, expected)
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: no events to append", ErrInvalidEvent)
	}
	first := events[0].Cause
	for i, e := range events {
		switch {
		case e.Type == "":
			return fmt.Errorf("%w: event %d has no type", ErrInvalidEvent, i)
		case e.SchemaVersion < 1:
			return fmt.Errorf("%w: event %d (%s) has schema version %d", ErrInvalidEvent, i, e.Type, e.SchemaVersion)
		case !json.Valid(e.Data):
			return fmt.Errorf("%w: event %d (%s): data is not JSON", ErrInvalidEvent, i, e.Type)
		case len(e.Metadata) > 0 && !json.Valid(e.Metadata):
			return fmt.Errorf("%w: event %d (%s): metadata is not JSON", ErrInvalidEvent, i, e.Type)
		case e.OccurredAt.IsZero():
			return fmt.Errorf("%w: event %d (%s) has no occurred_at", ErrInvalidEvent, i, e.Type)
		case e.Actor != first.Actor || e.CommandID != first.CommandID ||
			e.CausationID != first.CausationID || e.CorrelationID != first.CorrelationID:
			return fmt.Errorf("%w: event %d (%s): all events of an append must share one cause", ErrInvalidEvent, i, e.Type)
		}
	}
	return nil
}

// RequestFingerprint identifies the request behind an append's command ID:
// the events' RequestSHA256 when given, else a SHA-256 over the stream and
// each event's type, schema version and data (length-prefixed, so no two
// different requests share one).
func RequestFingerprint(stream string, events []Envelope) []byte {
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
