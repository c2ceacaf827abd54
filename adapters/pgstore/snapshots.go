package pgstore

import (
	"context"
	"errors"
	"fmt"

	"docledger/eventstore"

	"github.com/jackc/pgx/v5"
)

// LoadSnapshot returns the latest snapshot of stream and its version, or
// eventstore.ErrNoSnapshot.
func (s *Store) LoadSnapshot(ctx context.Context, stream string) ([]byte, int64, error) {
	var state []byte
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT state, version FROM snapshots WHERE stream_id = $1`, stream).Scan(&state, &version)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, eventstore.ErrNoSnapshot
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load snapshot of %s: %w", stream, err)
	}
	return state, version, nil
}

// SaveSnapshot keeps state as the snapshot of stream at version, unless a
// newer one is already kept.
func (s *Store) SaveSnapshot(ctx context.Context, stream string, version int64, state []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO snapshots (stream_id, version, state) VALUES ($1, $2, $3)
		ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, state = excluded.state, saved_at = statement_timestamp()
		WHERE snapshots.version < excluded.version`, stream, version, state)
	if err != nil {
		return fmt.Errorf("save snapshot of %s: %w", stream, err)
	}
	return nil
}
