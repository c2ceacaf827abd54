-- The parties read model: each party with its requisites, registration
-- stages, org units, users (with their powers of attorney and compromise
-- cut-offs) and bound certificates. Owned by the application role so that
-- `ledgerctl projections rebuild parties` can build a copy and swap it in.
-- +goose Up
CREATE SCHEMA parties AUTHORIZATION ledger_app;

CREATE TABLE parties.checkpoint (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
INSERT INTO parties.checkpoint DEFAULT VALUES;

CREATE TABLE parties.parties (
    party_id                 uuid        PRIMARY KEY,
    kind                     text        NOT NULL,
    identity_number          text        NOT NULL DEFAULT '',
    resident                 boolean     NOT NULL,
    names                    jsonb       NOT NULL,
    contacts                 jsonb       NOT NULL,
    profile                  text        NOT NULL,
    stages                   text[]      NOT NULL,
    registered_at            timestamptz NOT NULL,
    termination_notified_at  timestamptz,
    termination_effective_at timestamptz,
    position                 bigint      NOT NULL
);
CREATE INDEX parties_identity_idx ON parties.parties (identity_number);

CREATE TABLE parties.org_units (
    party_id  uuid        NOT NULL,
    unit_id   text        NOT NULL,
    kind      text        NOT NULL,
    name      text        NOT NULL,
    bin       text        NOT NULL DEFAULT '',
    address   text        NOT NULL DEFAULT '',
    opened_at timestamptz NOT NULL,
    PRIMARY KEY (party_id, unit_id)
);

CREATE TABLE parties.users (
    party_id          uuid        NOT NULL,
    user_iin          text        NOT NULL,
    name              text        NOT NULL,
    role              text        NOT NULL,
    org_unit          text        NOT NULL DEFAULT '',
    power_of_attorney jsonb,
    added_at          timestamptz NOT NULL,
    removed_at        timestamptz,
    compromised_at    timestamptz,
    PRIMARY KEY (party_id, user_iin)
);

CREATE TABLE parties.certificates (
    party_id   uuid        NOT NULL,
    issuer     text        NOT NULL,
    serial     text        NOT NULL,
    user_iin   text        NOT NULL,
    key_usage  text[]      NOT NULL,
    not_before timestamptz NOT NULL,
    not_after  timestamptz NOT NULL,
    bound_at   timestamptz NOT NULL,
    PRIMARY KEY (party_id, issuer, serial)
);

ALTER TABLE parties.checkpoint OWNER TO ledger_app;
ALTER TABLE parties.parties OWNER TO ledger_app;
ALTER TABLE parties.org_units OWNER TO ledger_app;
ALTER TABLE parties.users OWNER TO ledger_app;
ALTER TABLE parties.certificates OWNER TO ledger_app;

-- +goose Down
DROP SCHEMA parties CASCADE;
