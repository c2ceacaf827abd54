-- Login with EDS: the single-use nonces the server hands out, and the
-- sessions opened by a verified AUTH-certificate signature over one of them.
-- +goose Up
CREATE TABLE eds_login_nonces (
    nonce       text        PRIMARY KEY CHECK (length(nonce) BETWEEN 16 AND 128),
    issued_at   timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL CHECK (expires_at > issued_at),
    consumed_at timestamptz
);
COMMENT ON TABLE eds_login_nonces IS 'EDS login challenges; consumed_at set once, a second use is a replay.';
CREATE INDEX eds_login_nonces_expires_idx ON eds_login_nonces (expires_at);

CREATE TABLE eds_login_sessions (
    token_sha256       bytea       PRIMARY KEY CHECK (length(token_sha256) = 32),
    iin                text        NOT NULL CHECK (iin ~ '^[0-9]{12}$'),
    bin                text        CHECK (bin ~ '^[0-9]{12}$'),
    certificate_serial text        NOT NULL,
    evidence           bytea       NOT NULL,
    opened_at          timestamptz NOT NULL,
    expires_at         timestamptz NOT NULL CHECK (expires_at > opened_at)
);
COMMENT ON TABLE eds_login_sessions IS 'Sessions opened by EDS login, bound to the signer IIN (and BIN); only the token hash is kept.';
CREATE INDEX eds_login_sessions_expires_idx ON eds_login_sessions (expires_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON eds_login_nonces TO ledger_app;
GRANT SELECT, INSERT, DELETE ON eds_login_sessions TO ledger_app;

-- +goose Down
DROP TABLE eds_login_sessions;
DROP TABLE eds_login_nonces;
