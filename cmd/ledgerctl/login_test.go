package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"docledger/adapters/identity"
	"docledger/adapters/pgtest"
	"docledger/adapters/policy"
)

// ledgerctl login --demo prints a session secret the Authenticator accepts.
func TestLoginDemo(t *testing.T) {
	pool, dsn := pgtest.NewPool(t)
	t.Setenv("DATABASE_URL", dsn)
	store, err := identity.NewStore(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := identity.New(identity.Config{Store: store, Staff: identity.Staff{"770701300456": policy.Auditor}})
	if err != nil {
		t.Fatal(err)
	}
	who := func(secret string) policy.Principal {
		t.Helper()
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		p, err := auth.Authenticate(req)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		return p
	}
	for _, c := range []struct {
		args []string
		want policy.Principal
	}{
		{[]string{"--demo"}, policy.Principal{Kind: policy.User, IIN: demoIIN}},
		{[]string{"--demo", "--iin", "850715400016", "--bin", "990140000126"}, policy.Principal{Kind: policy.User, IIN: "850715400016", BIN: "990140000126"}},
		{[]string{"--demo", "--iin", "770701300456", "--staff", "auditor"}, policy.Principal{Kind: policy.Staff, IIN: "770701300456", Staff: policy.Auditor}},
	} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"login"}, c.args...), &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		secret := strings.TrimSpace(out.String())
		if !strings.HasPrefix(secret, identity.SessionPrefix) || strings.Contains(errb.String(), secret) {
			t.Fatalf("%v: stdout %q, stderr %q", c.args, out.String(), errb.String())
		}
		p := who(secret)
		if p.Kind != c.want.Kind || p.IIN != c.want.IIN || p.BIN != c.want.BIN || p.Staff != c.want.Staff {
			t.Fatalf("%v: principal %+v", c.args, p)
		}
	}
	for _, args := range [][]string{{}, {"--iin", "850715400016"}, {"--demo", "--iin", "12"}, {"--demo", "--staff", "janitor"}, {"--demo", "extra"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), append([]string{"login"}, args...), &out, &errb); code == 0 || out.Len() != 0 {
			t.Errorf("login %v: exit %d, stdout %q", args, code, out.String())
		}
	}
}
