-- Reading documents back: the inbox read model's documents table answers a
-- single document (with its stream version, the ETag a client sends back as
-- If-Match) and each sender's outbox. The stream version of a projected row
-- is known from its status today (a document's stream is registered, sent,
-- delivered: one event each); a rebuild (`ledgerctl projections rebuild
-- inbox`) recomputes it from the events.
-- +goose Up
ALTER TABLE inbox.documents ADD COLUMN stream_version bigint NOT NULL DEFAULT 0;
UPDATE inbox.documents SET stream_version = CASE status
    WHEN 'registered' THEN 1 WHEN 'sent' THEN 2 WHEN 'delivered' THEN 3 ELSE 0 END;
CREATE INDEX documents_sender_idx ON inbox.documents (sender_party, registered_at DESC, document_id DESC);

-- +goose Down
DROP INDEX inbox.documents_sender_idx;
ALTER TABLE inbox.documents DROP COLUMN stream_version;
