package esdbstore

import (
	"context"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"docledger/eventstore"
)

// snapshotAttempts bounds the rounds of SaveSnapshot against concurrent
// savers of the same stream's snapshot.
const snapshotAttempts = 5

// LoadSnapshot returns the latest snapshot of stream and its version, or
// eventstore.ErrNoSnapshot. The snapshot is the last event of the stream
// SnapshotStreamPrefix+stream.
func (s *Store) LoadSnapshot(ctx context.Context, stream string) ([]byte, int64, error) {
	ev, err := s.lastSnapshot(ctx, stream)
	if err != nil {
		return nil, 0, err
	}
	if ev == nil {
		return nil, 0, eventstore.ErrNoSnapshot
	}
	version, err := decodeSnapshotMeta(ev.UserMetadata)
	if err != nil {
		return nil, 0, fmt.Errorf("load snapshot of %s: %w", stream, err)
	}
	return ev.Data, version, nil
}

// SaveSnapshot keeps state as the snapshot of stream at version, unless a
// snapshot of the same or a newer version is already kept. It appends to
// the snapshot stream at the revision it read, so that of two concurrent
// savers the older version never lands after the newer one; the stream's
// $maxCount of 1, set when the stream is created, lets ESDB scavenge the
// replaced snapshots.
func (s *Store) SaveSnapshot(ctx context.Context, stream string, version int64, state []byte) error {
	meta, err := encodeSnapshotMeta(version)
	if err != nil {
		return fmt.Errorf("save snapshot of %s: %w", stream, err)
	}
	name := snapshotStream(stream)
	for attempt := 1; ; attempt++ {
		ev, err := s.lastSnapshot(ctx, stream)
		if err != nil {
			return err
		}
		var expected esdb.ExpectedRevision = esdb.NoStream{}
		if ev != nil {
			kept, err := decodeSnapshotMeta(ev.UserMetadata)
			if err == nil && kept >= version {
				return nil
			}
			expected = esdb.Revision(ev.EventNumber)
		} else if err := s.limitSnapshotStream(ctx, name); err != nil {
			return fmt.Errorf("save snapshot of %s: %w", stream, err)
		}
		id, err := uuid.NewV7()
		if err != nil {
			return fmt.Errorf("save snapshot of %s: %w", stream, err)
		}
		_, err = s.client.AppendToStream(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: expected}, esdb.EventData{
			EventID: id, EventType: snapshotType, ContentType: esdb.ContentTypeBinary, Data: state, Metadata: meta,
		})
		if err == nil {
			return nil
		}
		if !isWrongExpectedVersion(err) || attempt == snapshotAttempts {
			return fmt.Errorf("save snapshot of %s: %w", stream, err)
		}
		// Another saver went first: look again at what it kept.
	}
}

// lastSnapshot is the last event of stream's snapshot stream, nil when
// there is none.
func (s *Store) lastSnapshot(ctx context.Context, stream string) (*esdb.RecordedEvent, error) {
	evs, err := s.readStreamRaw(ctx, snapshotStream(stream), esdb.Backwards, esdb.End{}, 1)
	if err != nil {
		return nil, fmt.Errorf("load snapshot of %s: %w", stream, err)
	}
	if len(evs) == 0 {
		return nil, nil
	}
	return evs[0], nil
}

// limitSnapshotStream sets $maxCount 1 on a snapshot stream before its
// first snapshot. Setting it again (two first savers) is harmless.
func (s *Store) limitSnapshotStream(ctx context.Context, name string) error {
	var m esdb.StreamMetadata
	m.SetMaxCount(1)
	if _, err := s.client.SetStreamMetadata(ctx, name, esdb.AppendToStreamOptions{ExpectedRevision: esdb.Any{}}, m); err != nil {
		return fmt.Errorf("set $maxCount of %s: %w", name, err)
	}
	return nil
}
