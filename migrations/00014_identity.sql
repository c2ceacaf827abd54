-- Identities (docs/security.md "Identities"): the sessions EDS login opens
-- for clients' users and operator staff, the API tokens a party's
-- administrator makes for integrations, and the compromises read model that
-- revokes every session of a certificate reported compromised. Tokens and
-- sessions are facts of the access system, not domain events: only the
-- SHA-256 of a secret is kept, never the secret; creation and revocation
-- record who and when in the row.
-- +goose Up
CREATE TABLE identity_sessions (
    session_id         uuid        PRIMARY KEY,
    token_sha256       bytea       NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    kind               text        NOT NULL CHECK (kind IN ('user', 'staff')),
    iin                text        NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    bin                text        NOT NULL DEFAULT '' CHECK (bin = '' OR bin ~ '^[0-9]{12}$'),
    cert_roles         text[]      NOT NULL DEFAULT '{}',
    certificate_serial text        NOT NULL DEFAULT '',
    staff_role         text        NOT NULL DEFAULT '' CHECK ((kind = 'staff') = (staff_role <> '')),
    evidence           bytea,
    opened_at          timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL CHECK (expires_at > opened_at),
    last_seen_at       timestamptz NOT NULL,
    revoked_at         timestamptz,
    revoked_by         text        NOT NULL DEFAULT '',
    revoke_reason      text        NOT NULL DEFAULT ''
);
COMMENT ON TABLE identity_sessions IS 'Sessions of EDS login (users and staff); only the token hash is kept; last_seen_at slides the idle timeout.';
CREATE INDEX identity_sessions_expires_idx ON identity_sessions (expires_at);
CREATE INDEX identity_sessions_certificate_idx ON identity_sessions (certificate_serial);

CREATE TABLE identity_api_tokens (
    token_id     uuid        PRIMARY KEY,
    token_sha256 bytea       NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    party_id     uuid        NOT NULL,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    scopes       text[]      NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'send_documents', 'billing']),
    created_at   timestamptz NOT NULL,
    created_by   text        NOT NULL,
    revoked_at   timestamptz,
    revoked_by   text        NOT NULL DEFAULT ''
);
COMMENT ON TABLE identity_api_tokens IS 'API tokens of parties; only the token hash is kept; the secret is shown once at creation.';
CREATE INDEX identity_api_tokens_party_idx ON identity_api_tokens (party_id, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON identity_sessions TO ledger_app;
GRANT SELECT, INSERT, UPDATE ON identity_api_tokens TO ledger_app;

-- The compromises read model: EDS-key compromise reports, by user and
-- certificate serial. Owned by the application role so that `ledgerctl
-- projections rebuild compromises` can build a copy and swap it in.
CREATE SCHEMA compromises AUTHORIZATION ledger_app;

CREATE TABLE compromises.checkpoint (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
INSERT INTO compromises.checkpoint DEFAULT VALUES;

CREATE TABLE compromises.reports (
    party_id           uuid        NOT NULL,
    user_iin           text        NOT NULL,
    certificate_serial text        NOT NULL,
    reported_at        timestamptz NOT NULL,
    position           bigint      NOT NULL,
    PRIMARY KEY (party_id, user_iin, certificate_serial)
);
CREATE INDEX compromises_reports_user_idx ON compromises.reports (user_iin, certificate_serial);

ALTER TABLE compromises.checkpoint OWNER TO ledger_app;
ALTER TABLE compromises.reports OWNER TO ledger_app;

-- +goose Down
DROP SCHEMA compromises CASCADE;
DROP TABLE identity_api_tokens;
DROP TABLE identity_sessions;
