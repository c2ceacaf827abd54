-- The event store: an append-only log of events and the commands that have
-- committed (idempotency). A stream's version is its highest stream_version;
-- the unique (stream_id, stream_version) key is the optimistic-concurrency
-- check: two appends at one expected version insert the same version and
-- only one commits.
-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_app') THEN
    CREATE ROLE ledger_app NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, 'ledger_app', 'MEMBER') THEN
    EXECUTE format('GRANT ledger_app TO %I', current_user);
  END IF;
  EXECUTE format('GRANT CONNECT, CREATE ON DATABASE %I TO ledger_app', current_database());
EXCEPTION WHEN unique_violation THEN
  NULL; -- another migration created the role concurrently
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO ledger_app;

CREATE TABLE events (
    position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version > 0),
    event_id        uuid        NOT NULL,
    event_type      text        NOT NULL CHECK (event_type <> ''),
    schema_version  integer     NOT NULL CHECK (schema_version > 0),
    data            bytea       NOT NULL,
    data_sha256     bytea       NOT NULL,
    data_json       jsonb       NOT NULL,
    metadata        bytea       NOT NULL,
    metadata_sha256 bytea       NOT NULL,
    actor           text        NOT NULL DEFAULT '',
    command_id      text,
    causation_id    text,
    correlation_id  text,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);
COMMENT ON TABLE events IS 'Append-only event log. data and metadata are the exact appended bytes; data_json is a copy for queries.';
COMMENT ON COLUMN events.transaction_id IS 'Writer transaction; readers order by (transaction_id, position) below the oldest running transaction so they never skip a late commit.';
CREATE INDEX events_log_order_idx ON events (transaction_id, position);

CREATE TABLE commands (
    command_id     text        PRIMARY KEY,
    request_sha256 bytea       NOT NULL,
    stream_id      text        NOT NULL,
    stream_version bigint      NOT NULL,
    first_position bigint      NOT NULL,
    last_position  bigint      NOT NULL,
    committed_at   timestamptz NOT NULL DEFAULT statement_timestamp()
);
COMMENT ON TABLE commands IS 'Commands that committed, for idempotent appends.';

-- +goose StatementBegin
CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'DLA01';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE TABLE poisoned_commands (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id  text        NOT NULL,
    topic       text        NOT NULL,
    payload     bytea       NOT NULL,
    metadata    jsonb       NOT NULL,
    reason      text        NOT NULL,
    poisoned_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
COMMENT ON TABLE poisoned_commands IS 'Commands that kept failing after their retries, with the reason.';

-- The application role may only read and append events; the trigger refuses
-- UPDATE, DELETE and TRUNCATE even to the owner.
REVOKE ALL ON events FROM PUBLIC;
GRANT SELECT, INSERT ON events TO ledger_app;
GRANT SELECT, INSERT ON commands TO ledger_app;
GRANT SELECT, INSERT ON poisoned_commands TO ledger_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ledger_app;

-- +goose Down
DROP TABLE poisoned_commands;
DROP TABLE commands;
DROP TABLE events;
DROP FUNCTION ledger_refuse_change;
