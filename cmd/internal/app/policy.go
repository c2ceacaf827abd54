package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/httpapi"
	"docledger/adapters/policy"
	"docledger/domain"
	"docledger/domain/access"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/projections/reads"
)

// ErrNoAuthenticator: ledgerd never runs open. Until package
// adapters/identity is wired here, a ledgerd without Deps.Authenticator
// refuses to start.
var ErrNoAuthenticator = errors.New("app: no authenticator (sessions and API tokens) is configured: ledgerd refuses to run without one")

// defaultAuthenticator is the identity package's authenticator: sessions
// from the EDS (or OIDC) login and the parties' API tokens. Without one
// NewWith refuses to start rather than serve an open API.
func (a *App) defaultAuthenticator() (httpapi.Authenticator, error) {
	if a.Identity == nil {
		return nil, ErrNoAuthenticator
	}
	return a.Identity, nil
}

// newPolicy wires the access policy: membership and arbiter grants from the
// read models, document parties from their streams, staff accesses appended
// to the log.
func (a *App) newPolicy(q *reads.Reads) (*policy.Policy, error) {
	return policy.New(q, &streamDocuments{store: a.Store, reg: a.Events}, q,
		staffAccessLog{store: a.Store, reg: a.Events, clock: a.clock}, a.clock)
}

// streamDocuments reads a document's parties from its stream (consistent
// at once, unlike the read model). A document's sender and recipient never
// change and its delivery is never undone, so what was read is kept (up to
// docPartiesMax documents): a delivered document costs no round trip, an
// undelivered one reads only the events after the version last read.
type streamDocuments struct {
	store eventstore.Store
	reg   *event.Registry
	mu    sync.Mutex
	seen  map[uuid.UUID]docParties
}

// docPartiesMax bounds the documents streamDocuments remembers; past it
// the memory starts again empty.
const docPartiesMax = 100_000

type docParties struct {
	parties policy.DocumentParties
	version int64
}

func (d *streamDocuments) Parties(ctx context.Context, id uuid.UUID) (policy.DocumentParties, error) {
	d.mu.Lock()
	known, ok := d.seen[id]
	d.mu.Unlock()
	if ok && known.parties.Delivered {
		return known.parties, nil
	}
	recs, err := d.store.ReadStream(ctx, document.StreamID(id), known.version)
	if err != nil {
		return policy.DocumentParties{}, fmt.Errorf("read document %s: %w", id, err)
	}
	p := known.parties
	for _, rec := range recs {
		payload, err := d.reg.Decode(rec.Type, rec.SchemaVersion, rec.Data)
		if err != nil {
			return policy.DocumentParties{}, fmt.Errorf("decode document %s: %w", id, err)
		}
		switch e := payload.(type) {
		case document.Registered:
			p.Sender, p.Recipient, ok = e.SenderParty, e.RecipientParty, true
		case document.Delivered:
			p.Delivered = true
		}
		known.version = rec.StreamVersion
	}
	if !ok {
		return policy.DocumentParties{}, policy.ErrNotFound
	}
	d.mu.Lock()
	if d.seen == nil || len(d.seen) >= docPartiesMax {
		d.seen = map[uuid.UUID]docParties{}
	}
	d.seen[id] = docParties{parties: p, version: known.version}
	d.mu.Unlock()
	return p, nil
}

// staffAccessLog appends each staff access as an access.staff_read event in
// a stream of its own.
type staffAccessLog struct {
	store eventstore.Store
	reg   *event.Registry
	clock domain.Clock
}

func (l staffAccessLog) RecordStaffAccess(ctx context.Context, a policy.StaffAccess) error {
	e := access.StaffRead{Actor: a.Actor, Action: string(a.Action), Purpose: a.Purpose, At: a.At}
	switch {
	case a.Party != uuid.Nil:
		e.Party = a.Party.String()
	case a.PartyRef != "":
		e.Party = a.PartyRef
	}
	if a.Document != uuid.Nil {
		e.Document = a.Document.String()
	}
	env, err := eventstore.Encode(l.reg, e)
	if err != nil {
		return err
	}
	env.OccurredAt, env.Actor = a.At, a.Actor
	if _, err := l.store.Append(ctx, access.StreamID(uuid.Must(uuid.NewV7())), eventstore.NoStream, env); err != nil {
		return fmt.Errorf("record staff access: %w", err)
	}
	return nil
}

// NoCredentials is the authenticator of an App that serves no HTTP (a
// ledgerctl command that uses the command bus directly): it accepts no
// credentials, so its API would answer the public routes only.
type NoCredentials struct{}

// Authenticate refuses every credential; no credentials is anonymous.
func (NoCredentials) Authenticate(r *http.Request) (policy.Principal, error) {
	if r.Header.Get("Authorization") != "" {
		return policy.Principal{}, policy.ErrUnauthenticated
	}
	return policy.Principal{Kind: policy.Anonymous}, nil
}

// sqlGrants records arbiters' grants in the table arbiter_grants.
type sqlGrants struct{ pool *pgxpool.Pool }

func (g sqlGrants) Grant(ctx context.Context, gr httpapi.ArbiterGrant) error {
	if _, err := g.pool.Exec(ctx, `INSERT INTO arbiter_grants (arbiter_iin, party_id, granted_by, granted_at, reason)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (arbiter_iin, party_id) DO NOTHING`,
		gr.ArbiterIIN, gr.PartyID, gr.GrantedBy, gr.GrantedAt, gr.Reason); err != nil {
		return fmt.Errorf("grant arbiter: %w", err)
	}
	return nil
}
