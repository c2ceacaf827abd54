// Package policy is who is acting and what they may do: the authenticated
// Principal every request carries, and the one place that decides whether
// a principal may take an action on a resource. The HTTP API and
// ledgerctl's server-side commands ask it; no handler decides access
// itself.
package policy

import (
	"context"

	"github.com/google/uuid"

	"docledger/domain"
)

// Kind is how a principal authenticated.
type Kind string

// The kinds of principal.
const (
	// Anonymous: no credentials.
	Anonymous Kind = "anonymous"
	// User: a client's user, logged in with EDS (a session). Which parties
	// the person may act for is decided per request from the party's users.
	User Kind = "user"
	// Token: an integration, by an API token a party's administrator made;
	// it acts for that one party within its scopes.
	Token Kind = "token"
	// Staff: an operator's employee, logged in with EDS (or OIDC), acting
	// in one staff role.
	Staff Kind = "staff"
)

// StaffRole is what an operator's employee does.
type StaffRole string

// Staff roles.
const (
	Support       StaffRole = "support"
	Billing       StaffRole = "billing"
	Enforcement   StaffRole = "enforcement"
	Arbiter       StaffRole = "arbiter"
	Auditor       StaffRole = "auditor"
	Administrator StaffRole = "administrator"
)

// Scope is what an API token may do.
type Scope string

// Token scopes.
const (
	ScopeRead          Scope = "read"
	ScopeSendDocuments Scope = "send_documents"
	ScopeBilling       Scope = "billing"
)

// Principal is the authenticated identity of a request. It is built by
// the authentication middleware from verified credentials only, never from
// what a client states.
type Principal struct {
	Kind Kind
	// IIN is the person's IIN (a user or staff member), from the verified
	// login certificate.
	IIN string
	// BIN is the organisation named by the login certificate, if any.
	BIN string
	// CertRoles are the NCA role OIDs of the login certificate (first head,
	// may sign, may sign financial documents...).
	CertRoles []string
	// CertificateSerial is the login certificate's serial (hex): a reported
	// compromise revokes every session of it.
	CertificateSerial string
	// PartyID is the party an API token acts for (zero for other kinds).
	PartyID uuid.UUID
	// Scopes are an API token's scopes.
	Scopes []Scope
	// Staff is a staff member's role.
	Staff StaffRole
	// Credential names the session or token (its id, never its secret), for
	// logs and the events' actor.
	Credential string
}

// Actor is how events record the principal: stable, without secrets.
func (p Principal) Actor() string {
	switch p.Kind {
	case User:
		return "user:" + p.IIN
	case Token:
		return "token:" + p.Credential + "@" + p.PartyID.String()
	case Staff:
		return "staff:" + string(p.Staff) + ":" + p.IIN
	}
	return "anonymous"
}

// Errors of authentication and authorisation.
var (
	// ErrUnauthenticated: no credentials, or ones the server does not accept.
	ErrUnauthenticated = domain.NewErrorOf(domain.Unauthenticated, "unauthenticated", "this request needs a valid session or API token")
	// ErrForbidden: the principal may not do this.
	ErrForbidden = domain.NewErrorOf(domain.Forbidden, "forbidden", "not allowed for this identity")
)

type principalKey struct{}

// With returns ctx carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// From is the principal ctx carries; Anonymous when none.
func From(ctx context.Context) Principal {
	if p, ok := ctx.Value(principalKey{}).(Principal); ok {
		return p
	}
	return Principal{Kind: Anonymous}
}
