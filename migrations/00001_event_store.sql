-- The event store: an append-only log of events, the current version of each
-- stream, and the commands that have committed (idempotency).
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

CREATE TABLE streams (
    stream_id text   PRIMARY KEY,
    version   bigint NOT NULL CHECK (version >= 0)
);

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

-- ledger_append appends events to one stream in one statement: the
-- idempotency check, the optimistic-concurrency check and the inserts, so an
-- append costs one round trip and one commit. Errors:
--   DLC01 wrong expected version (DETAIL: the actual version)
--   DLI01 command id already used with a different request
-- +goose StatementBegin
CREATE FUNCTION ledger_append(
    p_stream text, p_expected bigint,
    p_command_id text, p_request_sha256 bytea,
    p_actor text, p_causation_id text, p_correlation_id text,
    p_event_ids uuid[], p_types text[], p_schema_versions integer[],
    p_data bytea[], p_metadata bytea[], p_occurred_at timestamptz[],
    OUT stream_version bigint, OUT first_position bigint, OUT last_position bigint, OUT duplicate boolean)
LANGUAGE plpgsql AS $$
DECLARE
  n       integer := cardinality(p_event_ids);
  current bigint;
  prior   commands%ROWTYPE;
BEGIN
  IF p_command_id IS NOT NULL THEN
    SELECT * INTO prior FROM commands c WHERE c.command_id = p_command_id;
    IF FOUND THEN
      IF prior.request_sha256 <> p_request_sha256 OR prior.stream_id <> p_stream THEN
        RAISE EXCEPTION 'command id % already used with a different request', p_command_id USING ERRCODE = 'DLI01';
      END IF;
      stream_version := prior.stream_version;
      first_position := prior.first_position;
      last_position := prior.last_position;
      duplicate := true;
      RETURN;
    END IF;
  END IF;

  IF p_expected = -1 THEN
    INSERT INTO streams AS s (stream_id, version) VALUES (p_stream, n)
      ON CONFLICT (stream_id) DO UPDATE SET version = s.version + n
      RETURNING s.version - n INTO current;
  ELSIF p_expected = 0 THEN
    INSERT INTO streams (stream_id, version) VALUES (p_stream, n) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
      SELECT s.version INTO current FROM streams s WHERE s.stream_id = p_stream;
      RAISE EXCEPTION 'stream % exists', p_stream USING ERRCODE = 'DLC01', DETAIL = current::text;
    END IF;
    current := 0;
  ELSE
    UPDATE streams s SET version = s.version + n WHERE s.stream_id = p_stream AND s.version = p_expected;
    IF NOT FOUND THEN
      SELECT s.version INTO current FROM streams s WHERE s.stream_id = p_stream;
      RAISE EXCEPTION 'stream % is not at version %', p_stream, p_expected
        USING ERRCODE = 'DLC01', DETAIL = coalesce(current, 0)::text;
    END IF;
    current := p_expected;
  END IF;

  WITH inserted AS (
    INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version,
                        data, data_sha256, data_json, metadata, metadata_sha256,
                        actor, command_id, causation_id, correlation_id, occurred_at)
    SELECT p_stream, current + e.ord, e.id, e.typ, e.ver,
           e.dat, sha256(e.dat), convert_from(e.dat, 'UTF8')::jsonb, e.meta, sha256(e.meta),
           coalesce(p_actor, ''), p_command_id, p_causation_id, p_correlation_id, e.occ
    FROM unnest(p_event_ids, p_types, p_schema_versions, p_data, p_metadata, p_occurred_at)
         WITH ORDINALITY AS e(id, typ, ver, dat, meta, occ, ord)
    ORDER BY e.ord
    RETURNING position
  )
  SELECT min(position), max(position) INTO first_position, last_position FROM inserted;

  stream_version := current + n;
  duplicate := false;
  IF p_command_id IS NOT NULL THEN
    INSERT INTO commands (command_id, request_sha256, stream_id, stream_version, first_position, last_position)
    VALUES (p_command_id, p_request_sha256, p_stream, stream_version, first_position, last_position);
  END IF;
END
$$;
-- +goose StatementEnd

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
GRANT SELECT, INSERT, UPDATE ON streams, commands TO ledger_app;
GRANT SELECT, INSERT ON poisoned_commands TO ledger_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ledger_app;
GRANT EXECUTE ON FUNCTION ledger_append TO ledger_app;

-- +goose Down
DROP TABLE poisoned_commands;
DROP FUNCTION ledger_append;
DROP TABLE commands;
DROP TABLE streams;
DROP TABLE events;
DROP FUNCTION ledger_refuse_change;
