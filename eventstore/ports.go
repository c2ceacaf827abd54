package eventstore

import (
	"context"
	"time"
)

// Writer is what the command side needs of a store.
//
// Append appends events to stream if its version is expected. It returns
// *ConflictError (errors.Is ErrConflict) for a wrong expected version,
// ErrCommandReused for a command ID reused with another request and
// ErrInvalidEvent for events it cannot store (nothing is written then).
// Appending again for a command ID that committed returns the first result
// with Duplicate set and writes nothing.
//
// ReadStream returns the events of stream after a stream version, in order
// (an empty slice for an unknown stream).
//
// Command returns what a committed command's append did, ErrCommandNotFound
// for an ID that never committed.
type Writer interface {
	Append(ctx context.Context, stream string, expected ExpectedVersion, events ...Envelope) (AppendResult, error)
	ReadStream(ctx context.Context, stream string, afterVersion int64) ([]Record, error)
	Command(ctx context.Context, commandID string) (CommandRecord, error)
}

// LogReader is what readers of the global log need: projections, the
// operators' tools and auditors.
//
// ReadAll returns up to limit events after a position in the log's order.
// The order never changes once an event is read, and no event is ever
// skipped: one that commits late is returned after the ones already read.
// after is 0 (the start) or the position of an event; ErrUnknownPosition
// otherwise.
//
// ReadTypes does the same for the events whose type starts with one of the
// prefixes, and also returns the position of the last event it scanned,
// wanted or not (0 when it scanned nothing), for the reader to continue from.
//
// Head is the position and recorded time of the last readable event (0 and
// the zero time for an empty log).
//
// Wake returns a channel that is closed when events after a reader's last
// read may have become readable: an append through this store, one by
// another process, or an event that was committed but not yet readable.
// Take the channel before reading, so that no wake-up is lost.
//
// WaitReadable returns when every event committed before the call can be
// read, or with ctx's error: a reader that must see "everything so far"
// (a rebuild, a one-off export) calls it before its last read.
type LogReader interface {
	ReadAll(ctx context.Context, after int64, limit int) ([]Record, error)
	ReadTypes(ctx context.Context, after int64, limit int, prefixes []string) ([]Record, int64, error)
	Head(ctx context.Context) (int64, time.Time, error)
	Wake() <-chan struct{}
	WaitReadable(ctx context.Context) error
}

// Snapshots keeps snapshots of long streams, so that an aggregate loads
// from its latest snapshot and the events after it. LoadSnapshot returns
// ErrNoSnapshot for a stream without one; SaveSnapshot replaces an older
// snapshot and ignores one older than the kept one.
type Snapshots interface {
	LoadSnapshot(ctx context.Context, stream string) (state []byte, version int64, err error)
	SaveSnapshot(ctx context.Context, stream string, version int64, state []byte) error
}

// Store is a complete event store: every implementation is all three ports.
type Store interface {
	Writer
	LogReader
	Snapshots
}
