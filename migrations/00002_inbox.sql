-- The inbox read model: documents per recipient party. Its schema belongs to
-- the application role so that `ledgerctl projections rebuild inbox` can build
-- a fresh copy beside it and swap the two atomically.
-- +goose Up
CREATE SCHEMA inbox AUTHORIZATION ledger_app;

CREATE TABLE inbox.checkpoint (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
INSERT INTO inbox.checkpoint DEFAULT VALUES;

CREATE TABLE inbox.documents (
    document_id     uuid        PRIMARY KEY,
    recipient_party text        NOT NULL,
    sender_party    text        NOT NULL,
    title           text        NOT NULL,
    kind            text        NOT NULL,
    content_sha256  text        NOT NULL,
    status          text        NOT NULL,
    registered_at   timestamptz NOT NULL,
    sent_at         timestamptz,
    delivered_at    timestamptz,
    position        bigint      NOT NULL
);
CREATE INDEX documents_recipient_idx ON inbox.documents (recipient_party, registered_at DESC, document_id DESC);

ALTER TABLE inbox.checkpoint OWNER TO ledger_app;
ALTER TABLE inbox.documents OWNER TO ledger_app;

-- +goose Down
DROP SCHEMA inbox CASCADE;
