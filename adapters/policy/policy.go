package policy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
)

// Action is what a request does; every route of the API names one.
type Action string

// The actions.
const (
	// Public: anyone, without credentials (health, the API description, the
	// EDS login itself).
	Public Action = "public"

	DocumentRegister Action = "document.register"
	DocumentSend     Action = "document.send"
	DocumentDeliver  Action = "document.deliver"
	DocumentRead     Action = "document.read"
	// DocumentList reads a party's inbox or outbox.
	DocumentList Action = "document.list"

	// PartyRegister registers a new party.
	PartyRegister Action = "party.register"
	PartyRead     Action = "party.read"
	// PartyManageUsers adds and removes users and binds their certificates.
	PartyManageUsers Action = "party.manage_users"
	// PartyManage changes the party's account: stages, org units,
	// requisites, compromise reports, termination.
	PartyManage Action = "party.manage"
	// PartyAccept accepts an offer or a tariff, or objects to an amendment:
	// an act in law for the party.
	PartyAccept Action = "party.accept"
	// AcceptanceProofRead reads the proof of a party's acceptances.
	AcceptanceProofRead Action = "acceptance_proof.read"

	// OfferRead reads an offer's published versions (public texts, to any
	// authenticated principal).
	OfferRead Action = "offer.read"
	// OfferPublish publishes or withdraws an offer version or sends an
	// amendment notice: the operator's administrators only.
	OfferPublish Action = "offer.publish"
	// TermsRead lists the terms ending across parties: staff only.
	TermsRead Action = "terms.read"
	// ArbiterGrant grants an arbiter a case (a party's data): the
	// operator's administrators, with a purpose.
	ArbiterGrant Action = "arbiter.grant"
	// Command is the generic command endpoint's rule: the command's type
	// decides the action, once the body is read.
	Command Action = "command"
	// SessionEnd ends the session the request carries (logout): any
	// authenticated principal; it concerns no party's data.
	SessionEnd Action = "session.end"
)

// Resource is what an action is on. Only the fields the action needs are set.
type Resource struct {
	// Party is the party acted on (the {id} of /parties/{id}/...).
	Party uuid.UUID
	// PartyRef is a document's party reference (a document's sender when
	// registering, the party of an inbox or outbox): a party id, or its
	// identity number with or without an "IIN"/"BIN" prefix.
	PartyRef string
	// Document is the document acted on.
	Document uuid.UUID
	// Purpose is what a staff member states (the X-Purpose header).
	Purpose string
}

// Membership is a person's standing in a party.
type Membership struct {
	// Self: the party is the person (an individual or an entrepreneur whose
	// identity number is the IIN).
	Self bool
	// Role is the user's role ("first_head", "employee", "administrator"),
	// empty for Self.
	Role string
	// OrgUnit limits the user to one org unit (empty: the whole party).
	OrgUnit string
	// Removed: the user was removed from the party.
	Removed bool
	// PowerOfAttorney is the user's power of attorney, if any.
	PowerOfAttorney *PowerOfAttorney
}

// PowerOfAttorney is what the policy needs of one.
type PowerOfAttorney struct {
	Scope                 []string
	ValidFrom, ValidUntil time.Time
}

// covers says whether the power of attorney is valid at now and its scope
// names scope (or "all").
func (p *PowerOfAttorney) covers(scope string, now time.Time) bool {
	if p == nil || now.Before(p.ValidFrom) || !now.Before(p.ValidUntil) {
		return false
	}
	return slices.Contains(p.Scope, scope) || slices.Contains(p.Scope, "all")
}

// Members tells who belongs to which party (package projections/reads
// implements it over the parties read model).
type Members interface {
	// Member is the standing of the person iin in party. ErrNotMember when
	// the party does not exist or the person is neither it nor its user.
	Member(ctx context.Context, party uuid.UUID, iin string) (Membership, error)
	// Resolve is the party a document's party reference names;
	// ErrNotMember when none does.
	Resolve(ctx context.Context, ref string) (uuid.UUID, error)
}

// DocumentParties is what the policy needs of a document.
type DocumentParties struct {
	Sender, Recipient string
	Delivered         bool
}

// Documents tells a document's parties (read from its stream, so that a
// document just registered is known at once).
type Documents interface {
	// Parties of document id; ErrNotFound when there is none.
	Parties(ctx context.Context, id uuid.UUID) (DocumentParties, error)
}

// Grants tells whether an arbiter was granted a case (a party's data).
type Grants interface {
	Granted(ctx context.Context, arbiterIIN string, party uuid.UUID) (bool, error)
}

// StaffAccess is one staff member's access to a client's data.
type StaffAccess struct {
	Actor    string
	Action   Action
	Party    uuid.UUID
	PartyRef string
	Document uuid.UUID
	Purpose  string
	At       time.Time
}

// AccessLog records staff accesses to clients' data (the staff-access log;
// package app appends them as access.staff_read events).
type AccessLog interface {
	RecordStaffAccess(ctx context.Context, a StaffAccess) error
}

// More errors of authorisation.
var (
	// ErrNotFound answers a resource whose existence the principal may not
	// learn: the same answer as for one that does not exist.
	ErrNotFound = domain.NewErrorOf(domain.NotFound, "not_found", "no such resource")
	// ErrPurposeRequired: a staff member reading a client's data states why
	// (X-Purpose).
	ErrPurposeRequired = domain.NewErrorOf(domain.Forbidden, "purpose_required", "staff access to a client's data needs a stated purpose (X-Purpose)")
	// ErrNotMember is what Members answers for a person with no standing.
	ErrNotMember = errors.New("not a member of the party")
)

// Policy decides who may do what. Its ports are read-only facts; it keeps
// no state.
type Policy struct {
	members Members
	docs    Documents
	grants  Grants
	log     AccessLog
	clock   domain.Clock
}

// New returns the policy; every port is required.
func New(members Members, docs Documents, grants Grants, log AccessLog, clock domain.Clock) (*Policy, error) {
	if members == nil || docs == nil || grants == nil || log == nil || clock == nil {
		return nil, errors.New("policy: members, documents, grants, access log and clock are required")
	}
	return &Policy{members: members, docs: docs, grants: grants, log: log, clock: clock}, nil
}

// Decide answers nil when p may take action on res, else a *domain.Error:
// ErrUnauthenticated without credentials, ErrNotFound when p has no
// standing in the resource's party (its existence stays private),
// ErrForbidden when p has standing but not the right, ErrPurposeRequired
// for staff without a purpose. An allowed staff read of a client's data is
// recorded in the access log before Decide answers; a failure to record it
// refuses the access.
func (pol *Policy) Decide(ctx context.Context, p Principal, action Action, res Resource) error {
	if action == Public {
		return nil
	}
	if p.Kind == Anonymous || p.Kind == "" {
		return ErrUnauthenticated
	}
	switch action {
	case OfferRead, SessionEnd:
		return nil
	case OfferPublish:
		if p.Kind == Staff && p.Staff == Administrator {
			return nil
		}
		return ErrForbidden
	case ArbiterGrant:
		if p.Kind != Staff || p.Staff != Administrator {
			return ErrForbidden
		}
		return pol.staffRead(ctx, p, action, res)
	case TermsRead:
		if p.Kind != Staff || p.Staff == Arbiter {
			return ErrForbidden
		}
		return pol.staffRead(ctx, p, action, res)
	}
	switch p.Kind {
	case Staff:
		return pol.staff(ctx, p, action, res)
	case Token:
		return pol.token(ctx, p, action, res)
	case User:
		return pol.user(ctx, p, action, res)
	}
	return ErrUnauthenticated
}

// reads are the actions that only read a client's data.
var reads = map[Action]bool{DocumentRead: true, DocumentList: true, PartyRead: true, AcceptanceProofRead: true}

// staff: reads with a purpose by every role (an arbiter only in a case
// granted to it); changes with a purpose by administrators only; an auditor
// changes nothing.
func (pol *Policy) staff(ctx context.Context, p Principal, action Action, res Resource) error {
	if !reads[action] {
		if p.Staff != Administrator {
			return ErrForbidden
		}
		return pol.staffRead(ctx, p, action, res) // a change is recorded too: the purpose is not in the command's events
	}
	if p.Staff == Arbiter {
		ok, err := pol.arbiterGranted(ctx, p, res)
		if err != nil {
			return err
		}
		if !ok {
			return ErrForbidden
		}
	}
	return pol.staffRead(ctx, p, action, res)
}

func (pol *Policy) staffRead(ctx context.Context, p Principal, action Action, res Resource) error {
	if strings.TrimSpace(res.Purpose) == "" {
		return ErrPurposeRequired
	}
	return pol.log.RecordStaffAccess(ctx, StaffAccess{Actor: p.Actor(), Action: action, Party: res.Party, PartyRef: res.PartyRef,
		Document: res.Document, Purpose: res.Purpose, At: pol.clock.Now().UTC()})
}

// arbiterGranted says whether the arbiter p was granted the case of the
// read's party: the party in the path, the one a reference names, or one of
// a document's parties (its recipient once delivered).
func (pol *Policy) arbiterGranted(ctx context.Context, p Principal, res Resource) (bool, error) {
	var refs []string
	switch {
	case res.Party != uuid.Nil:
		return pol.grants.Granted(ctx, p.IIN, res.Party)
	case res.PartyRef != "":
		refs = []string{res.PartyRef}
	case res.Document != uuid.Nil:
		d, err := pol.docs.Parties(ctx, res.Document)
		if err != nil {
			return false, err
		}
		refs = []string{d.Sender}
		if d.Delivered {
			refs = append(refs, d.Recipient)
		}
	}
	for _, ref := range refs {
		party, err := pol.resolve(ctx, ref)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if ok, err := pol.grants.Granted(ctx, p.IIN, party); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// token: an API token acts for its own party within its scopes.
func (pol *Policy) token(ctx context.Context, p Principal, action Action, res Resource) error {
	has := func(s Scope) bool { return slices.Contains(p.Scopes, s) }
	switch action {
	case PartyRead, AcceptanceProofRead, DocumentList:
		party := res.Party
		if action == DocumentList {
			var err error
			if party, err = pol.resolve(ctx, res.PartyRef); err != nil {
				return err
			}
		}
		if party != p.PartyID {
			return ErrNotFound
		}
		if !has(ScopeRead) {
			return ErrForbidden
		}
		return nil
	case DocumentRead, DocumentSend, DocumentDeliver:
		mine, err := pol.documentSide(ctx, action, res.Document, func(ref string) bool {
			id, err := pol.resolve(ctx, ref)
			return err == nil && id == p.PartyID
		})
		if err != nil {
			return err
		}
		if !mine {
			return ErrNotFound
		}
		if action == DocumentRead && has(ScopeRead) || action != DocumentRead && has(ScopeSendDocuments) {
			return nil
		}
		return ErrForbidden
	case DocumentRegister:
		id, err := pol.resolve(ctx, res.PartyRef)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err != nil || id != p.PartyID {
			return ErrForbidden // the body names the sender: not a private resource
		}
		if !has(ScopeSendDocuments) {
			return ErrForbidden
		}
		return nil
	case PartyAccept:
		if res.Party != p.PartyID {
			return ErrNotFound
		}
		return ErrForbidden // an act in law needs a person
	case PartyManage, PartyManageUsers:
		if res.Party != p.PartyID {
			return ErrNotFound
		}
		return ErrForbidden // account management is a person's
	}
	return ErrForbidden
}

// documentSide loads document id and says whether mine(sender) holds for
// what action does: sending is the sender's, delivery the recipient's,
// reading the sender's or, once delivered, the recipient's.
func (pol *Policy) documentSide(ctx context.Context, action Action, id uuid.UUID, mine func(ref string) bool) (bool, error) {
	d, err := pol.docs.Parties(ctx, id)
	if err != nil {
		return false, err
	}
	switch action {
	case DocumentSend:
		return mine(d.Sender), nil
	case DocumentDeliver:
		return mine(d.Recipient), nil
	}
	return mine(d.Sender) || d.Delivered && mine(d.Recipient), nil
}

// resolve is the party ref names; ErrNotFound when none.
func (pol *Policy) resolve(ctx context.Context, ref string) (uuid.UUID, error) {
	id, err := pol.members.Resolve(ctx, ref)
	if errors.Is(err, ErrNotMember) {
		return uuid.Nil, ErrNotFound
	}
	return id, err
}

// member is p's standing in party, or ok false when none (or removed).
func (pol *Policy) member(ctx context.Context, p Principal, party uuid.UUID) (Membership, bool, error) {
	m, err := pol.members.Member(ctx, party, p.IIN)
	if errors.Is(err, ErrNotMember) {
		return Membership{}, false, nil
	}
	if err != nil {
		return Membership{}, false, err
	}
	return m, !m.Removed, nil
}

// user: a client's user acts for a party it is (self) or belongs to.
func (pol *Policy) user(ctx context.Context, p Principal, action Action, res Resource) error {
	if p.IIN == "" {
		return ErrUnauthenticated
	}
	now := pol.clock.Now()
	switch action {
	case PartyRegister:
		// The person registering: themself, or a pre-registration the
		// profile allows (the aggregate checks the rest).
		return nil
	case DocumentRegister:
		party, err := pol.resolve(ctx, res.PartyRef)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return ErrForbidden
			}
			return err
		}
		m, ok, err := pol.member(ctx, p, party)
		if err != nil {
			return err
		}
		if !ok || !m.mayDocuments(now) {
			return ErrForbidden
		}
		return nil
	case DocumentRead, DocumentSend, DocumentDeliver:
		var standing *Membership
		var lookupErr error
		mine, err := pol.documentSide(ctx, action, res.Document, func(ref string) bool {
			party, err := pol.resolve(ctx, ref)
			if err != nil {
				if !errors.Is(err, ErrNotFound) {
					lookupErr = err
				}
				return false
			}
			m, ok, err := pol.member(ctx, p, party)
			if err != nil {
				lookupErr = err
			}
			if ok && (standing == nil || m.mayDocuments(now)) {
				standing = &m
			}
			return ok
		})
		if err := errors.Join(err, lookupErr); err != nil {
			return err
		}
		if !mine {
			return ErrNotFound
		}
		if action == DocumentRead || standing.mayDocuments(now) {
			return nil
		}
		return ErrForbidden
	}
	party := res.Party
	if action == DocumentList {
		var err error
		if party, err = pol.resolve(ctx, res.PartyRef); err != nil {
			return err
		}
	}
	m, ok, err := pol.member(ctx, p, party)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	switch action {
	case PartyRead, AcceptanceProofRead, DocumentList:
		return nil
	case PartyManage, PartyManageUsers:
		if m.Self || m.Role == "first_head" || m.Role == "administrator" {
			return nil
		}
	case PartyAccept:
		if m.Self || m.Role == "first_head" || m.PowerOfAttorney.covers("accept_offer", now) {
			return nil
		}
	}
	return ErrForbidden
}

// mayDocuments: the party itself, its first head, or a user with a power of
// attorney to sign documents.
func (m Membership) mayDocuments(now time.Time) bool {
	return m.Self || m.Role == "first_head" || m.PowerOfAttorney.covers("sign_documents", now)
}
