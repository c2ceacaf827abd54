-- Snapshots of long streams: an aggregate's state at a stream version, so
-- that loading it replays only the events after. Snapshots are derived data
-- (the events stay the proof), so they may be replaced and deleted.
-- +goose Up
CREATE TABLE snapshots (
    stream_id text        PRIMARY KEY,
    version   bigint      NOT NULL CHECK (version > 0),
    state     bytea       NOT NULL,
    saved_at  timestamptz NOT NULL DEFAULT statement_timestamp()
);
GRANT SELECT, INSERT, UPDATE, DELETE ON snapshots TO ledger_app;

-- +goose Down
DROP TABLE snapshots;
