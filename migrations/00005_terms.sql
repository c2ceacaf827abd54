-- The terms read model: the contract term each accepted offer starts under
-- its profile (acceptance.term: Kezekte's 3 years, idocs' 1-year tariff
-- term), for "parties whose term ends soon".
-- +goose Up
CREATE SCHEMA terms AUTHORIZATION ledger_app;

CREATE TABLE terms.checkpoint (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
INSERT INTO terms.checkpoint DEFAULT VALUES;

CREATE TABLE terms.terms (
    party_id       uuid        NOT NULL,
    offer_id       text        NOT NULL,
    profile        text        NOT NULL,
    started_at     timestamptz NOT NULL,
    years          integer     NOT NULL CHECK (years > 0),
    renews         boolean     NOT NULL,
    clause         text        NOT NULL,
    ends_at        timestamptz NOT NULL,
    terminates_at  timestamptz,
    PRIMARY KEY (party_id, offer_id)
);
CREATE INDEX terms_ends_idx ON terms.terms (ends_at);

ALTER TABLE terms.checkpoint OWNER TO ledger_app;
ALTER TABLE terms.terms OWNER TO ledger_app;

-- +goose Down
DROP SCHEMA terms CASCADE;
