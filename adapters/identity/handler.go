package identity

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/google/uuid"

	"docledger/adapters/apierror"
	"docledger/adapters/policy"
	"docledger/domain"
)

// Paths served by Mount.
const (
	LogoutPath = "/api/v1/auth/logout"
	TokensPath = "/api/v1/parties/{id}/api-tokens"
)

// Mount serves logout and a party's API tokens on mux:
//
//	POST   /api/v1/auth/logout                          revoke the request's session
//	POST   /api/v1/parties/{id}/api-tokens              create (the secret is in this answer only)
//	GET    /api/v1/parties/{id}/api-tokens              list, without secrets
//	DELETE /api/v1/parties/{id}/api-tokens/{token_id}   revoke
//
// The acting principal is policy.From(r.Context()) when the API has
// authenticated the request, else the Authenticator's own answer. Who may
// manage a party's tokens is the policy's decision; these handlers refuse
// only what no policy allows: no identity (401), and an API token managing
// tokens (403).
func (a *Authenticator) Mount(route Router) {
	route("POST "+LogoutPath, false, http.HandlerFunc(a.logout))
	route("POST "+TokensPath, true, http.HandlerFunc(a.createToken))
	route("GET "+TokensPath, true, http.HandlerFunc(a.listTokens))
	route("DELETE "+TokensPath+"/{token_id}", true, http.HandlerFunc(a.revokeToken))
}

// Router registers one endpoint of this package on the API: onParty marks
// the endpoints on a party's resources (the {id} of the path), which the
// access policy lets only those who manage that party call; the others
// (logout, OIDC) need no standing in a party. (*http.ServeMux).Handle
// fits when there is no policy: identity.ServeMux(mux).
type Router func(pattern string, onParty bool, h http.Handler)

// ServeMux is a Router onto mux, without access rules (tests).
func ServeMux(mux *http.ServeMux) Router {
	return func(pattern string, _ bool, h http.Handler) { mux.Handle(pattern, h) }
}

// ErrNotSession refuses a logout with an API token.
var ErrNotSession = domain.NewErrorOf(domain.Malformed, "not_a_session", "logout ends a session; revoke an API token with DELETE .../api-tokens/{token_id}")

// acting is the request's principal; it answers 401 itself (and returns
// false) when there is none.
func (a *Authenticator) acting(w http.ResponseWriter, r *http.Request) (policy.Principal, bool) {
	p := policy.From(r.Context())
	if p.Kind == policy.Anonymous {
		var err error
		if p, err = a.Authenticate(r); err != nil {
			a.writeErr(w, r, err)
			return p, false
		}
	}
	if p.Kind == policy.Anonymous {
		a.writeErr(w, r, policy.ErrUnauthenticated)
		return p, false
	}
	return p, true
}

func (a *Authenticator) logout(w http.ResponseWriter, r *http.Request) {
	p, ok := a.acting(w, r)
	if !ok {
		return
	}
	if p.Kind == policy.Token {
		a.writeErr(w, r, ErrNotSession)
		return
	}
	creds, err := a.extract(r)
	if err == nil {
		err = a.cfg.Store.RevokeSession(r.Context(), creds.secret, a.cfg.Clock.Now(), p.Actor(), "logout")
	}
	if err != nil {
		a.writeErr(w, r, err)
		return
	}
	http.SetCookie(w, clearCookie())
	w.WriteHeader(http.StatusNoContent)
}

// tokenParty is the party of a token request, or false after answering.
func (a *Authenticator) tokenParty(w http.ResponseWriter, r *http.Request) (policy.Principal, uuid.UUID, bool) {
	p, ok := a.acting(w, r)
	if !ok {
		return p, uuid.Nil, false
	}
	if p.Kind == policy.Token {
		a.writeErr(w, r, policy.ErrForbidden.Withf("an API token cannot manage API tokens"))
		return p, uuid.Nil, false
	}
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil || id == uuid.Nil {
		apierror.Write(w, http.StatusBadRequest, "invalid_id", "a party id is a UUID")
		return p, uuid.Nil, false
	}
	return p, id, true
}

// CreateTokenRequest is the body of POST .../api-tokens.
type CreateTokenRequest struct {
	Name   string         `json:"name"`
	Scopes []policy.Scope `json:"scopes"`
}

// CreatedToken answers a creation: the token and, once, its secret.
type CreatedToken struct {
	APIToken
	// Token is the secret (dlt_...): shown here only, never stored.
	Token string `json:"token"`
}

func (a *Authenticator) createToken(w http.ResponseWriter, r *http.Request) {
	p, party, ok := a.tokenParty(w, r)
	if !ok {
		return
	}
	var req CreateTokenRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		apierror.Write(w, http.StatusBadRequest, "invalid_request", "body must be JSON {\"name\": ..., \"scopes\": [...]}")
		return
	}
	t, secret, err := a.cfg.Store.CreateToken(r.Context(), party, req.Name, req.Scopes, a.cfg.Clock.Now(), p.Actor())
	if err != nil {
		a.writeErr(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	apierror.WriteJSON(w, http.StatusCreated, CreatedToken{APIToken: t, Token: secret})
}

// TokenList answers GET .../api-tokens.
type TokenList struct {
	APITokens []APIToken `json:"api_tokens"`
}

func (a *Authenticator) listTokens(w http.ResponseWriter, r *http.Request) {
	_, party, ok := a.tokenParty(w, r)
	if !ok {
		return
	}
	ts, err := a.cfg.Store.Tokens(r.Context(), party)
	if err != nil {
		a.writeErr(w, r, err)
		return
	}
	apierror.WriteJSON(w, http.StatusOK, TokenList{APITokens: ts})
}

func (a *Authenticator) revokeToken(w http.ResponseWriter, r *http.Request) {
	p, party, ok := a.tokenParty(w, r)
	if !ok {
		return
	}
	id, err := uuid.Parse(r.PathValue("token_id"))
	if err != nil {
		a.writeErr(w, r, ErrTokenNotFound)
		return
	}
	t, err := a.cfg.Store.RevokeToken(r.Context(), party, id, a.cfg.Clock.Now(), p.Actor())
	if err != nil {
		a.writeErr(w, r, err)
		return
	}
	apierror.WriteJSON(w, http.StatusOK, t)
}

// writeErr answers err; a failure that is not a domain error is logged.
func (a *Authenticator) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var de *domain.Error
	if !errors.As(err, &de) {
		a.cfg.Logger.ErrorContext(r.Context(), "identity", "path", r.URL.Path, "error", err)
	}
	apierror.WriteErr(w, err)
}
