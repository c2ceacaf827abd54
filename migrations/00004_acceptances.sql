-- The acceptances read model: the proof of each party's acceptances (offer
-- version and its text hashes, trigger, time, actor, authority, consents,
-- signature evidence, the event that recorded it), its registration stages
-- with their proofs, its tariff consents per application and objections to
-- amendments, the offer versions with their amendment notices, and
-- terminations, from which "the
-- offer version and profile in force for a party at time T" is answered.
-- +goose Up
CREATE SCHEMA acceptances AUTHORIZATION ledger_app;

CREATE TABLE acceptances.checkpoint (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
INSERT INTO acceptances.checkpoint DEFAULT VALUES;

CREATE TABLE acceptances.offer_versions (
    offer_id     text        NOT NULL,
    version      integer     NOT NULL,
    profile      text        NOT NULL,
    texts        jsonb       NOT NULL,
    prevailing   text        NOT NULL,
    published_at timestamptz NOT NULL,
    effective_at timestamptz NOT NULL,
    withdrawn_at timestamptz,
    notices      jsonb       NOT NULL DEFAULT '[]',
    -- From the version's profile (amendments): what a client's silence
    -- means once the version is in effect, and the clause that says so.
    silence_means    text    NOT NULL,
    amendment_clause text    NOT NULL,
    PRIMARY KEY (offer_id, version)
);

CREATE TABLE acceptances.registrations (
    party_id        uuid        NOT NULL,
    stage           text        NOT NULL,
    profile         text        NOT NULL,
    identity_number text        NOT NULL DEFAULT '',
    proofs          json        NOT NULL, -- json, not jsonb: the evidence as recorded, byte for byte
    completed_at    timestamptz NOT NULL,
    actor           text        NOT NULL,
    event_id        uuid        NOT NULL,
    position        bigint      NOT NULL,
    PRIMARY KEY (party_id, stage)
);

CREATE TABLE acceptances.acceptances (
    party_id      uuid        NOT NULL,
    offer_id      text        NOT NULL,
    offer_version integer     NOT NULL,
    profile       text        NOT NULL,
    trigger       text        NOT NULL,
    clause        text        NOT NULL,
    by_iin        text        NOT NULL DEFAULT '',
    authority     jsonb       NOT NULL,
    consents      jsonb       NOT NULL,
    signature     json,  -- json, not jsonb: the evidence as recorded, byte for byte
    accepted_at   timestamptz NOT NULL,
    actor         text        NOT NULL,
    command_id    text        NOT NULL DEFAULT '',
    event_id      uuid        NOT NULL,
    data_sha256   text        NOT NULL,
    position      bigint      NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (party_id, offer_id, offer_version)
);
CREATE INDEX acceptances_party_time_idx ON acceptances.acceptances (party_id, accepted_at);

CREATE TABLE acceptances.tariff_acceptances (
    party_id       uuid        NOT NULL,
    application_id text        NOT NULL,
    service        text        NOT NULL,
    tariff         text        NOT NULL,
    offer_id       text        NOT NULL,
    offer_version  integer     NOT NULL,
    clause         text        NOT NULL,
    by_iin         text        NOT NULL DEFAULT '',
    accepted_at    timestamptz NOT NULL,
    actor          text        NOT NULL,
    event_id       uuid        NOT NULL,
    position       bigint      NOT NULL,
    PRIMARY KEY (party_id, application_id)
);

CREATE TABLE acceptances.objections (
    party_id      uuid        NOT NULL,
    offer_id      text        NOT NULL,
    offer_version integer     NOT NULL,
    by_iin        text        NOT NULL DEFAULT '',
    clause        text        NOT NULL,
    window_ends   timestamptz NOT NULL,
    objected_at   timestamptz NOT NULL,
    actor         text        NOT NULL,
    event_id      uuid        NOT NULL,
    position      bigint      NOT NULL,
    PRIMARY KEY (party_id, offer_id, offer_version)
);

CREATE TABLE acceptances.terminations (
    party_id     uuid        PRIMARY KEY,
    by_whom      text        NOT NULL,
    reason       text        NOT NULL,
    notified_at  timestamptz NOT NULL,
    effective_at timestamptz NOT NULL
);

ALTER TABLE acceptances.checkpoint OWNER TO ledger_app;
ALTER TABLE acceptances.offer_versions OWNER TO ledger_app;
ALTER TABLE acceptances.registrations OWNER TO ledger_app;
ALTER TABLE acceptances.acceptances OWNER TO ledger_app;
ALTER TABLE acceptances.tariff_acceptances OWNER TO ledger_app;
ALTER TABLE acceptances.objections OWNER TO ledger_app;
ALTER TABLE acceptances.terminations OWNER TO ledger_app;

-- +goose Down
DROP SCHEMA acceptances CASCADE;
