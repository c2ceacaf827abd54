package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/google/uuid"

	"docledger/adapters/apierror"
	"docledger/adapters/policy"
	"docledger/commands"
	"docledger/domain"
)

// Decider is the access policy (package adapters/policy implements it): it
// answers nil when the principal may take the action on the resource, else
// a *domain.Error whose kind decides the status (401, 403, 404).
type Decider interface {
	Decide(ctx context.Context, p policy.Principal, action policy.Action, res policy.Resource) error
}

// Rule is how a route is authorised: the action it takes and where its
// resource is. Every route has one; the router refuses a route without.
type Rule struct {
	// Action is what the route does.
	Action policy.Action
	// From builds the resource from the request's path (nil: none, such
	// as a list across parties).
	From func(r *http.Request) (policy.Resource, error)
	// InBody: the resource is named by the body; the handler decides
	// (authorize) once it has decoded it. The edge still refuses anonymous
	// requests first.
	InBody bool
}

// authErrKey carries the authenticator's refusal of a request's credentials.
type authErrKey struct{}

// Public is the rule of a route anyone may call without credentials.
var Public = Rule{Action: policy.Public}

// Route is one entry of the route table: its pattern and rule.
type Route struct {
	Pattern string
	Rule    Rule
}

// Routes is the route table: every pattern the router serves, with its
// rule, in the order registered (the tenant-isolation test enumerates it).
func (s *Server) Routes() []Route { return append([]Route(nil), s.table...) }

// MountFunc registers a further route with its rule (Config.Mount).
type MountFunc func(pattern string, rule Rule, h http.Handler)

// route registers h at pattern behind rule; a missing rule fails New.
func (s *Server) route(pattern string, rule Rule, h http.HandlerFunc) { s.handle(pattern, rule, h) }

func (s *Server) handle(pattern string, rule Rule, h http.Handler) {
	if rule.Action == "" {
		s.routeErr = errors.Join(s.routeErr, fmt.Errorf("httpapi: route %q has no rule", pattern))
		return
	}
	s.table = append(s.table, Route{Pattern: pattern, Rule: rule})
	s.mux.Handle(pattern, s.guard(rule, h))
}

// guard decides rule before h runs: anonymous requests to non-public
// routes are 401, refusals have the policy's status and nothing of the
// resource.
func (s *Server) guard(rule Rule, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rule.Action == policy.Public {
			h.ServeHTTP(w, r)
			return
		}
		if err, ok := r.Context().Value(authErrKey{}).(error); ok {
			s.writeErr(w, r, "authentication", err)
			return
		}
		p := policy.From(r.Context())
		if p.Kind == policy.Anonymous || p.Kind == "" {
			apierror.WriteErr(w, policy.ErrUnauthenticated)
			return
		}
		if rule.InBody {
			h.ServeHTTP(w, r)
			return
		}
		var res policy.Resource
		if rule.From != nil {
			var err error
			if res, err = rule.From(r); err != nil {
				s.writeErr(w, r, "authorisation", err)
				return
			}
		}
		if !s.authorize(w, r, rule.Action, res) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authorize asks the policy whether the request's principal may take
// action on res, with the request's stated purpose; when not, it answers
// the client and returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, action policy.Action, res policy.Resource) bool {
	res.Purpose = purpose(r)
	if err := s.cfg.Policy.Decide(r.Context(), policy.From(r.Context()), action, res); err != nil {
		s.writeErr(w, r, "authorisation", err)
		return false
	}
	return true
}

// purpose is the X-Purpose header: what a staff member states as the
// reason for an access, at most 200 printable characters (else none).
func purpose(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("X-Purpose"))
	if len(v) > 200 || strings.IndexFunc(v, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
		return ""
	}
	return v
}

// errBadID answers a path id that is not a UUID.
var errBadID = domain.NewErrorOf(domain.Malformed, "invalid_id", "the id in the path is not a UUID")

// onParty is the resource of /parties/{id}/...: the party in the path.
// PartyInPath is the resource of a route on the party named by the path's
// {id} (for routes mounted from outside this package).
func PartyInPath(r *http.Request) (policy.Resource, error) { return onParty(r) }

func onParty(r *http.Request) (policy.Resource, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return policy.Resource{}, errBadID
	}
	return policy.Resource{Party: id}, nil
}

// onDocument is the resource of /documents/{id}/...
func onDocument(r *http.Request) (policy.Resource, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return policy.Resource{}, errBadID
	}
	return policy.Resource{Document: id}, nil
}

// onPartyRef is the resource of an inbox or outbox: the party reference in
// the path.
func onPartyRef(r *http.Request) (policy.Resource, error) {
	ref := r.PathValue("id")
	if ref == "" || len(ref) > 100 {
		return policy.Resource{}, domain.NewErrorOf(domain.Malformed, "invalid_id", "a party id is 1 to 100 characters")
	}
	return policy.Resource{PartyRef: ref}, nil
}

// commandRule is the action and resource of a client command sent to the
// generic endpoint, from its payload.
func commandRule(cmd commands.Command) (policy.Action, policy.Resource, error) {
	id := func() (uuid.UUID, error) {
		u, err := uuid.Parse(cmd.AggregateID())
		if err != nil || u == uuid.Nil {
			return uuid.Nil, domain.NewErrorOf(domain.Malformed, "invalid_id", "the command names no aggregate: its id is missing")
		}
		return u, nil
	}
	switch c := cmd.(type) {
	case *commands.RegisterDocument:
		return policy.DocumentRegister, policy.Resource{PartyRef: c.SenderParty}, nil
	case *commands.RegisterParty:
		return policy.PartyRegister, policy.Resource{}, nil
	}
	u, err := id()
	if err != nil {
		return "", policy.Resource{}, err
	}
	switch cmd.(type) {
	case *commands.SendDocument:
		return policy.DocumentSend, policy.Resource{Document: u}, nil
	case *commands.DeliverDocument:
		return policy.DocumentDeliver, policy.Resource{Document: u}, nil
	case *commands.AddPartyUser, *commands.RemovePartyUser, *commands.BindCertificate:
		return policy.PartyManageUsers, policy.Resource{Party: u}, nil
	case *commands.CompleteRegistrationStage, *commands.OpenOrgUnit, *commands.ChangeRequisites,
		*commands.ReportCompromise, *commands.NotifyTermination:
		return policy.PartyManage, policy.Resource{Party: u}, nil
	case *commands.AcceptOffer, *commands.AcceptTariff, *commands.ObjectToAmendment:
		return policy.PartyAccept, policy.Resource{Party: u}, nil
	}
	return "", policy.Resource{}, fmt.Errorf("httpapi: command %s has no access rule", commands.Name(cmd))
}
