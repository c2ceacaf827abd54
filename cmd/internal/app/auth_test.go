package app_test

import (
	"net/http"
	"strings"
	"sync"

	"docledger/adapters/policy"
)

// testAuth stands in for the identity package until it is merged: a bearer
// token "test-<name>" is the principal registered under name; no header is
// anonymous; any other token is refused.
type testAuth struct {
	mu         sync.RWMutex
	principals map[string]policy.Principal
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
		return policy.Principal{Kind: policy.Anonymous}, nil
	}
	name, ok := strings.CutPrefix(h, "Bearer test-")
	if !ok {
		return policy.Principal{}, policy.ErrUnauthenticated
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
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
