-- Arbiters read one case only when an administrator granted it: a grant names
-- the arbiter (by IIN) and the party whose data the case is about. Revoking
-- deletes the row. The access policy (adapters/policy) reads this table.
-- +goose Up
CREATE TABLE arbiter_grants (
    arbiter_iin text        NOT NULL CHECK (arbiter_iin ~ '^[0-9]{12}$'),
    party_id    uuid        NOT NULL,
    granted_by  text        NOT NULL,
    granted_at  timestamptz NOT NULL,
    reason      text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    PRIMARY KEY (arbiter_iin, party_id)
);
COMMENT ON TABLE arbiter_grants IS 'Which party''s data (a case) each arbiter may read; written by an operator administrator.';
GRANT SELECT, INSERT, DELETE ON arbiter_grants TO ledger_app;

-- +goose Down
DROP TABLE arbiter_grants;
