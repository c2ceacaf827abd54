package app_test

import (
	"net/http"
	"strings"
	"sync"

	"docledger/adapters/httpapi"
	"docledger/adapters/policy"
)

// testAuth stands in for the identity package until it is merged: a bearer
// token "test-<name>" is the principal registered under name; no header is
// anonymous; any other token is refused.
type testAuth struct {
	mu         sync.RWMutex
	principals map[string]policy.Principal
	// real authenticates every credential that is not a test token: the
	// running ledgerd's own (package identity), so sessions and API tokens
	// work beside the test principals.
	real httpapi.Authenticator
}

// testPrincipals are the principals the end-to-end tests act as.
var testPrincipals = &testAuth{principals: map[string]policy.Principal{
	// admin is what requests carry by default (with a purpose): an operator
	// administrator may act for any party with a stated purpose, so the
	// tests of the commands and queries need not set up memberships.
	"admin": {Kind: policy.Staff, Staff: policy.Administrator, IIN: "800101300019", Credential: "s-admin"},
}}

// add registers p under name (idempotent).
func (a *testAuth) add(name string, p policy.Principal) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.principals[name] = p
}

func (a *testAuth) Authenticate(r *http.Request) (policy.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		a.mu.RLock()
		real := a.real
		a.mu.RUnlock()
		if real != nil {
			return real.Authenticate(r) // a cookie, or nothing: anonymous
		}
		return policy.Principal{Kind: policy.Anonymous}, nil
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	name, ok := strings.CutPrefix(h, "Bearer test-")
	if !ok && a.real != nil {
		return a.real.Authenticate(r)
	}
	if !ok {
		return policy.Principal{}, policy.ErrUnauthenticated
	}
	p, ok := a.principals[name]
	if !ok {
		return policy.Principal{}, policy.ErrUnauthenticated
	}
	if p.Credential == "" && p.Kind == policy.Token {
		p.Credential = "t-" + name
	}
	return p, nil
}

// asAdmin are the headers of the default principal.
var asAdmin = map[string]string{"Authorization": "Bearer test-admin", "X-Purpose": "end-to-end test"}

// use makes the running ledgerd's own authenticator the one for every
// credential that is not a test token.
func (a *testAuth) use(real httpapi.Authenticator) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.real = real
}
