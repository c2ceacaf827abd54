package party

import (
	"slices"
	"strings"
	"time"

	"docledger/domain"
	"docledger/domain/kzid"
)

// Role is what a person may do for a party.
type Role string

// Roles of users, and of who acted in an Authority.
const (
	// RoleFirstHead has the right of first signature.
	RoleFirstHead Role = "first_head"
	// RoleEmployee acts under a power of attorney.
	RoleEmployee Role = "employee"
	// RoleAdministrator administers the party's account; acting for the
	// party in law also needs a power of attorney.
	RoleAdministrator Role = "administrator"
	// RoleSelf is the person who is the party.
	RoleSelf Role = "self"
	// RoleRegistrant is the unidentified person registering before the
	// party's subject is bound (a pre-registration).
	RoleRegistrant Role = "registrant"
)

// User is what adding a user needs.
type User struct {
	IIN             string
	Name            string
	Role            Role
	OrgUnit         string
	PowerOfAttorney *PowerOfAttorney
}

// AddUser adds a user who acts for the party, at now. An employee needs a
// power of attorney valid now; a first head needs none.
func (p *Party) AddUser(u User, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	id, err := kzid.Parse(u.IIN)
	if err != nil {
		return err
	}
	if id.Kind != kzid.KindIIN {
		return ErrIdentityKind.Withf("a user is a person: %s is a BIN", u.IIN)
	}
	if x, ok := p.users[u.IIN]; ok && x.removedAt.IsZero() {
		return ErrUserExists.Withf("%s", u.IIN)
	}
	if strings.TrimSpace(u.Name) == "" {
		return domain.ErrValidation.Withf("user name is required")
	}
	if u.OrgUnit != "" {
		if _, ok := p.units[u.OrgUnit]; !ok {
			return ErrOrgUnitUnknown.Withf("%s", u.OrgUnit)
		}
	}
	switch u.Role {
	case RoleFirstHead:
		if u.PowerOfAttorney != nil {
			return domain.ErrValidation.Withf("a first head acts without a power of attorney")
		}
	case RoleEmployee, RoleAdministrator:
		if u.Role == RoleEmployee && u.PowerOfAttorney == nil {
			return ErrPowerOfAttorneyRequired
		}
	default:
		return domain.ErrValidation.Withf("role %q", u.Role)
	}
	if a := u.PowerOfAttorney; a != nil {
		switch {
		case strings.TrimSpace(a.Number) == "" || len(a.Scope) == 0:
			return domain.ErrValidation.Withf("a power of attorney needs a number and a scope")
		case !a.ValidUntil.After(a.ValidFrom):
			return domain.ErrValidation.Withf("a power of attorney must end after it begins")
		case !now.Before(a.ValidUntil):
			return ErrPowerOfAttorneyExpired.Withf("%s expired at %s", a.Number, a.ValidUntil.Format(time.RFC3339))
		}
		c := *a
		c.Scope = slices.Clone(a.Scope)
		u.PowerOfAttorney = &c
	}
	p.record(UserAdded{PartyID: p.id, UserIIN: u.IIN, Name: strings.TrimSpace(u.Name), Role: u.Role, OrgUnit: u.OrgUnit, PowerOfAttorney: u.PowerOfAttorney, AddedAt: now})
	return nil
}

// RemoveUser records that the user stops acting for the party at now.
func (p *Party) RemoveUser(iin string, now time.Time) error {
	if !p.registered {
		return ErrNotRegistered
	}
	u, ok := p.users[iin]
	if !ok || !u.removedAt.IsZero() {
		return ErrUserUnknown.Withf("%s", iin)
	}
	p.record(UserRemoved{PartyID: p.id, UserIIN: iin, RemovedAt: now})
	return nil
}

// Power-of-attorney scopes the party's own rules check.
const (
	ScopeAcceptOffer = "accept_offer"
	ScopeAll         = "all"
)

// authority says on what ground iin acts for the party at t.
func (p *Party) authority(iin string, t time.Time) (Authority, error) {
	if iin == "" {
		if p.identity == "" {
			return Authority{Role: RoleRegistrant}, nil
		}
		return Authority{}, domain.ErrValidation.Withf("by_iin is required")
	}
	if !p.Attributable(iin, t) {
		c := p.cutoffs[iin]
		return Authority{}, ErrCredentialCompromised.Withf("%s reported at %s", iin, c.Format(time.RFC3339))
	}
	if iin == p.identity && p.kind != KindLegalEntity {
		return Authority{Role: RoleSelf}, nil
	}
	u, ok := p.users[iin]
	if !ok || t.Before(u.AddedAt) || (!u.removedAt.IsZero() && !t.Before(u.removedAt)) {
		return Authority{}, ErrNoAuthority.Withf("%s is not a user of the party at %s", iin, t.Format(time.RFC3339))
	}
	if u.Role == RoleFirstHead {
		return Authority{Role: RoleFirstHead}, nil
	}
	a := u.PowerOfAttorney
	switch {
	case a == nil:
		return Authority{}, ErrNoAuthority.Withf("%s (%s) has no power of attorney", iin, u.Role)
	case t.Before(a.ValidFrom):
		return Authority{}, ErrPowerOfAttorneyNotYet.Withf("%s from %s", a.Number, a.ValidFrom.Format(time.RFC3339))
	case !t.Before(a.ValidUntil):
		return Authority{}, ErrPowerOfAttorneyExpired.Withf("%s expired at %s", a.Number, a.ValidUntil.Format(time.RFC3339))
	case !slices.Contains(a.Scope, ScopeAcceptOffer) && !slices.Contains(a.Scope, ScopeAll):
		return Authority{}, ErrPowerOfAttorneyScope.Withf("%s covers %v", a.Number, a.Scope)
	}
	return Authority{Role: u.Role, PowerOfAttorney: a.Number}, nil
}
