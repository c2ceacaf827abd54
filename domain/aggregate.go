package domain

import "docledger/domain/event"

// Root is embedded in every aggregate. It tracks the stream version the
// aggregate was loaded at and the events its behaviour methods recorded
// since, which the command side appends with that version as the expected
// one.
type Root struct {
	version int64
	changes []event.Payload
}

// Version is the stream version of the last event applied from the store.
func (r *Root) Version() int64 { return r.version }

// Changes are the events recorded since the aggregate was loaded.
func (r *Root) Changes() []event.Payload { return r.changes }

// Record adds a new event to Changes. Aggregates call it from a behaviour
// method, after validating, together with their own apply.
func (r *Root) Record(p event.Payload) { r.changes = append(r.changes, p) }

// Loaded notes that a stored event at version was applied.
func (r *Root) Loaded(version int64) { r.version = version }

// Aggregate is what the command side needs of an aggregate: its stream,
// replay of stored events, and the changes to append.
type Aggregate interface {
	// StreamID names the aggregate's stream ("document-<uuid>").
	StreamID() string
	// Apply changes state by one stored event; it never validates.
	Apply(event.Payload)
	Version() int64
	Changes() []event.Payload
	Loaded(version int64)
}

// Snapshotter is implemented by aggregates whose state can be saved and
// restored, so that a long stream loads from its latest snapshot plus the
// events after it instead of from its first event.
type Snapshotter interface {
	// Snapshot encodes the state the aggregate has from stored events.
	Snapshot() ([]byte, error)
	// Restore sets the state from a snapshot taken at version.
	Restore(state []byte, version int64) error
}
