package reads

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"docledger/adapters/policy"
	"docledger/domain/party"
)

// Member is the standing of the person iin in party, from the parties read
// model: the party itself (an individual or an entrepreneur whose identity
// number is iin), or one of its users (policy.ErrNotMember otherwise). It
// implements policy.Members.
func (r *Reads) Member(ctx context.Context, partyID uuid.UUID, iin string) (policy.Membership, error) {
	var (
		kind, identity string
		role, unit     *string
		removed        *bool
		poa            *party.PowerOfAttorney
	)
	err := r.pool.QueryRow(ctx, `SELECT p.kind, p.identity_number, u.role, u.org_unit, u.removed_at IS NOT NULL, u.power_of_attorney
		FROM parties.parties p LEFT JOIN parties.users u ON u.party_id = p.party_id AND u.user_iin = $2
		WHERE p.party_id = $1`, partyID, iin).Scan(&kind, &identity, &role, &unit, &removed, &poa)
	if errors.Is(err, pgx.ErrNoRows) {
		return policy.Membership{}, policy.ErrNotMember
	}
	if err != nil {
		return policy.Membership{}, fmt.Errorf("membership in %s: %w", partyID, err)
	}
	var m policy.Membership
	if iin != "" && identity == iin && (kind == string(party.KindIndividual) || kind == string(party.KindEntrepreneur) || kind == string(party.KindSelfEmployed)) {
		m.Self = true
	}
	if role != nil {
		m.Role, m.Removed = *role, *removed
		if unit != nil {
			m.OrgUnit = *unit
		}
		if poa != nil {
			m.PowerOfAttorney = &policy.PowerOfAttorney{Scope: poa.Scope, ValidFrom: poa.ValidFrom, ValidUntil: poa.ValidUntil}
		}
		if m.Self {
			m.Removed = false // the person is the party whatever its user row says
		}
	}
	if !m.Self && role == nil {
		return policy.Membership{}, policy.ErrNotMember
	}
	return m, nil
}

// Resolve is the party a document's party reference names: a party id, or
// an identity number with or without an "IIN"/"BIN" prefix (the earliest
// registered party with it). policy.ErrNotMember when none.
//
// A party, once registered, stays: the parties found by id are remembered
// (up to knownPartiesMax), so the access policy's look-up of a document's
// party costs no round trip after the first. Absence is never remembered.
func (r *Reads) Resolve(ctx context.Context, ref string) (uuid.UUID, error) {
	var id uuid.UUID
	var err error
	if u, perr := uuid.Parse(ref); perr == nil {
		if r.known.has(u) {
			return u, nil
		}
		err = r.pool.QueryRow(ctx, `SELECT party_id FROM parties.parties WHERE party_id = $1`, u).Scan(&id)
		if err == nil {
			r.known.add(id)
		}
	} else {
		number := strings.TrimPrefix(strings.TrimPrefix(ref, "IIN"), "BIN")
		if len(number) != 12 {
			return uuid.Nil, policy.ErrNotMember
		}
		err = r.pool.QueryRow(ctx, `SELECT party_id FROM parties.parties WHERE identity_number = $1
			ORDER BY registered_at, party_id LIMIT 1`, number).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, policy.ErrNotMember
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("resolve party %q: %w", ref, err)
	}
	return id, nil
}

// Granted says whether an administrator granted the arbiter the case of
// party (table arbiter_grants). It implements policy.Grants.
func (r *Reads) Granted(ctx context.Context, arbiterIIN string, partyID uuid.UUID) (bool, error) {
	var ok bool
	err := r.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM arbiter_grants WHERE arbiter_iin = $1 AND party_id = $2)`,
		arbiterIIN, partyID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("arbiter grant: %w", err)
	}
	return ok, nil
}

// knownPartiesMax bounds the parties Resolve remembers; past it the set
// starts again empty.
const knownPartiesMax = 100_000

// partySet is a set of party ids safe for concurrent use.
type partySet struct {
	mu  sync.RWMutex
	ids map[uuid.UUID]struct{}
}

func (s *partySet) has(id uuid.UUID) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.ids[id]
	return ok
}

func (s *partySet) add(id uuid.UUID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids == nil || len(s.ids) >= knownPartiesMax {
		s.ids = map[uuid.UUID]struct{}{}
	}
	s.ids[id] = struct{}{}
}
