// Package reads answers the edge's queries from the read models: it
// implements the query ports that the HTTP API (and other readers) declare,
// in the shapes of package query. Queries that read several tables run in
// one snapshot (projections.InSnapshot), so an answer never mixes two
// batches of a projection.
package reads

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/projections"
	"docledger/projections/acceptances"
	"docledger/projections/inbox"
	"docledger/projections/parties"
	"docledger/projections/terms"
	"docledger/query"
)

// Reads answers queries from the read models in one database.
type Reads struct {
	pool  *pgxpool.Pool
	known partySet // parties Resolve found by id
}

// New returns the queries over pool; it refuses a nil pool.
func New(pool *pgxpool.Pool) (*Reads, error) {
	if pool == nil {
		return nil, errors.New("reads: nil pool")
	}
	return &Reads{pool: pool}, nil
}

// Inbox is a page of party's inbox, newest first, after cursor
// (query.ErrBadCursor for a cursor it did not issue).
func (r *Reads) Inbox(ctx context.Context, party, cursor string, limit int) (query.InboxPage, error) {
	return inbox.Query(ctx, r.pool, party, cursor, limit)
}

// Outbox is a page of the documents party sent (registered as sender),
// newest first, after cursor (query.ErrBadCursor).
func (r *Reads) Outbox(ctx context.Context, party, cursor string, limit int) (query.DocumentPage, error) {
	return inbox.Outbox(ctx, r.pool, party, cursor, limit)
}

// Document is one document (query.ErrDocumentNotFound).
func (r *Reads) Document(ctx context.Context, id uuid.UUID) (query.Document, error) {
	return inbox.Get(ctx, r.pool, id)
}

// OfferVersions lists the versions of an offer (query.ErrOfferNotFound).
func (r *Reads) OfferVersions(ctx context.Context, offerID string) ([]query.OfferVersion, error) {
	return acceptances.OfferVersions(ctx, r.pool, offerID)
}

// Party is a party with its units, users and certificates
// (query.ErrPartyNotFound).
func (r *Reads) Party(ctx context.Context, id uuid.UUID) (query.Party, error) {
	return projections.InSnapshot(ctx, r.pool, func(tx pgx.Tx) (query.Party, error) { return parties.Get(ctx, tx, id) })
}

// AcceptanceProof is what proves a party's registration and acceptances
// (query.ErrPartyNotFound).
func (r *Reads) AcceptanceProof(ctx context.Context, id uuid.UUID) (query.AcceptanceProof, error) {
	return projections.InSnapshot(ctx, r.pool, func(tx pgx.Tx) (query.AcceptanceProof, error) {
		return acceptances.GetProof(ctx, tx, id)
	})
}

// OfferAt is which offer versions applied to a party at t
// (query.ErrPartyNotFound).
func (r *Reads) OfferAt(ctx context.Context, id uuid.UUID, t time.Time) (query.InForce, error) {
	return projections.InSnapshot(ctx, r.pool, func(tx pgx.Tx) (query.InForce, error) { return acceptances.At(ctx, tx, id, t) })
}

// TermsEnding lists the terms ending in [from, before), soonest first
// (query.ErrRange when from is not before before).
func (r *Reads) TermsEnding(ctx context.Context, from, before time.Time, limit int) ([]query.Term, error) {
	return terms.Ending(ctx, r.pool, from, before, limit)
}

// Ping reports whether the read models' database answers.
func (r *Reads) Ping(ctx context.Context) error { return r.pool.Ping(ctx) }
