// Package terms is the terms read model: the contract term each party's
// first acceptance of an offer starts, where the offer version's policy
// profile gives a fixed term (acceptance.term: Kezekte 3 years, clause 5.2;
// idocs 1 year, 14.1), so that parties whose term ends soon can be listed.
//
// The term runs from the day of the acceptance (Asia/Almaty) to the end of
// the same date the term's years later, as the profile engine counts years.
// A renewed term is not projected: no event records a renewal yet.
package terms

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"docledger/domain/calendar"
	"docledger/domain/event"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
	"docledger/projections"
	"docledger/query"
)

// Name is the read model's name and schema.
const Name = "terms"

// Profiles returns a policy profile by reference (*profile.Catalog).
type Profiles interface {
	Get(ref profile.Ref) (*profile.Profile, error)
}

// Projection builds the terms from acceptances and terminations.
type Projection struct {
	registry *event.Registry
	profiles Profiles
}

// New returns the projection; registry decodes party events, profiles
// gives each acceptance's term.
func New(registry *event.Registry, profiles Profiles) *Projection {
	return &Projection{registry: registry, profiles: profiles}
}

// Name is "terms".
func (p *Projection) Name() string { return Name }

// EventTypes are the events the model applies.
func (p *Projection) EventTypes() []string {
	return []string{party.TypeOfferAccepted, party.TypeTerminationNotified}
}

// Tables are the model's tables.
func (p *Projection) Tables() []string { return []string{"terms"} }

// End is when a term of years starting at start ends.
func End(start time.Time, years int) time.Time {
	return calendar.DateOf(start).AddMonths(12 * years).End()
}

// Apply applies acceptances and terminations.
func (p *Projection) Apply(ctx context.Context, tx pgx.Tx, schema string, events []eventstore.Record) error {
	table := projections.Table(schema, "terms")
	for _, e := range events {
		if e.Type != party.TypeOfferAccepted && e.Type != party.TypeTerminationNotified {
			continue
		}
		payload, err := p.registry.Decode(e.Type, e.SchemaVersion, e.Data)
		if err == nil {
			switch ev := payload.(type) {
			case party.OfferAccepted:
				var prof *profile.Profile
				if prof, err = p.profiles.Get(ev.Profile); err == nil && prof.Acceptance.Term.Years > 0 {
					term := prof.Acceptance.Term
					// Only the first acceptance of an offer starts its term; an
					// amended version accepted later does not restart it.
					_, err = tx.Exec(ctx, `INSERT INTO `+table+` (party_id, offer_id, profile, started_at, years, renews, clause, ends_at)
						VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (party_id, offer_id) DO NOTHING`,
						ev.PartyID, ev.OfferID, ev.Profile.String(), ev.AcceptedAt, term.Years, term.Renews, term.Clause, End(ev.AcceptedAt, term.Years))
				}
			case party.TerminationNotified:
				_, err = tx.Exec(ctx, `UPDATE `+table+` SET terminates_at = $2 WHERE party_id = $1`, ev.PartyID, ev.EffectiveAt)
			}
		}
		if err != nil {
			return &projections.EventError{Projection: Name, Position: e.Position, Type: e.Type, Err: err}
		}
	}
	return nil
}

// Term is the read model's Term (package query).
type Term = query.Term

// Querier runs queries (a pool or a transaction).
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ErrRange is returned when from is not before before.
var ErrRange = query.ErrRange

// Ending lists the terms that end in [from, before), soonest first, at most
// limit of them; a term cut short by a termination taking effect before it
// ends is left out. Names come from the parties read model when it has the
// party.
func Ending(ctx context.Context, db Querier, from, before time.Time, limit int) ([]Term, error) {
	if !from.Before(before) {
		return nil, ErrRange
	}
	rows, err := db.Query(ctx, `SELECT t.party_id, coalesce(p.identity_number, ''), coalesce(p.names->>'full', ''), t.offer_id, t.profile,
			t.started_at, t.years, t.renews, t.clause, t.ends_at, t.terminates_at
		FROM terms.terms t LEFT JOIN parties.parties p ON p.party_id = t.party_id
		WHERE t.ends_at >= $1 AND t.ends_at < $2 AND (t.terminates_at IS NULL OR t.terminates_at > t.ends_at)
		ORDER BY t.ends_at, t.party_id LIMIT $3`, from, before, limit)
	if err != nil {
		return nil, fmt.Errorf("terms ending before %s: %w", before, err)
	}
	defer rows.Close()
	out := []Term{}
	for rows.Next() {
		var t Term
		if err := rows.Scan(&t.PartyID, &t.IdentityNumber, &t.Name, &t.OfferID, &t.Profile, &t.StartedAt, &t.Years, &t.Renews,
			&t.Clause, &t.EndsAt, &t.TerminatesAt); err != nil {
			return nil, err
		}
		t.StartedAt, t.EndsAt = t.StartedAt.UTC(), t.EndsAt.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}
