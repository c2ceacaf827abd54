package identity_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/identity"
	"docledger/adapters/pgtest"
	"docledger/adapters/policy"
	"docledger/domain"
)

const (
	iinUser  = "850505400456"
	iinStaff = "770701300456"
)

type rig struct {
	pool  *pgxpool.Pool
	clock *domain.ManualClock
	auth  *identity.Authenticator
	logs  *bytes.Buffer
	staff identity.Staff
}

func newRig(t *testing.T) *rig {
	t.Helper()
	pool, _ := pgtest.NewPool(t)
	store, err := identity.NewStore(pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{pool: pool, clock: domain.NewManualClock(time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)), logs: &bytes.Buffer{},
		staff: identity.Staff{iinStaff: policy.Auditor}}
	r.auth, err = identity.New(identity.Config{Store: store, Clock: r.clock, Staff: r.staff,
		Logger: slog.New(slog.NewJSONHandler(r.logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// bearer authenticates a GET with Authorization: Bearer secret.
func (r *rig) bearer(secret string) (policy.Principal, error) {
	req := httptest.NewRequest("GET", "/api/v1/documents/x", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	return r.auth.Authenticate(req)
}

func (r *rig) login(t *testing.T, l identity.Login) string {
	t.Helper()
	_, secret, err := r.auth.OpenDirect(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// snapshot is every row of the identity tables, to prove a refusal wrote
// nothing.
func (r *rig) snapshot(t *testing.T) string {
	t.Helper()
	var s string
	err := r.pool.QueryRow(context.Background(), `SELECT coalesce((SELECT string_agg(x::text, '|' ORDER BY x::text) FROM identity_sessions x), '') ||
		coalesce((SELECT string_agg(y::text, '|' ORDER BY y::text) FROM identity_api_tokens y), '')`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func code(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Code
	}
	if err == nil {
		return ""
	}
	return "not a domain error: " + err.Error()
}

func TestSessionLifecycle(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	secret := r.login(t, identity.Login{IIN: iinUser, BIN: "123456789012", CertificateSerial: "4f2a", CertRoles: []string{"1.2.398.3.3.4.1.1"}})
	if !strings.HasPrefix(secret, "dls_") || len(secret) != 4+43 {
		t.Fatalf("secret %q", secret)
	}
	p, err := r.bearer(secret)
	if err != nil || p.Kind != policy.User || p.IIN != iinUser || p.BIN != "123456789012" || p.CertificateSerial != "4f2a" ||
		len(p.CertRoles) != 1 || p.Credential == "" || strings.Contains(p.Credential, secret) {
		t.Fatalf("principal %+v %v", p, err)
	}
	// The idle timeout slides with use: 29 minutes twice is fine, 30
	// without use is not.
	for range 2 {
		r.clock.Advance(29 * time.Minute)
		if _, err := r.bearer(secret); err != nil {
			t.Fatalf("after 29 idle minutes: %v", err)
		}
	}
	r.clock.Advance(30 * time.Minute)
	before := r.snapshot(t)
	if _, err := r.bearer(secret); code(err) != "session_idle_timeout" {
		t.Fatalf("idle: %v", err)
	}
	if r.snapshot(t) != before {
		t.Fatal("a refused session wrote")
	}

	// Absolute expiry: used every 20 minutes, it still ends at 8 hours.
	secret = r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "4f2b"})
	opened := r.clock.Now()
	for r.clock.Now().Before(opened.Add(8*time.Hour - 20*time.Minute)) {
		r.clock.Advance(20 * time.Minute)
		if _, err := r.bearer(secret); err != nil {
			t.Fatalf("at %v: %v", r.clock.Now().Sub(opened), err)
		}
	}
	r.clock.Advance(20 * time.Minute)
	if _, err := r.bearer(secret); code(err) != "session_expired" {
		t.Fatalf("expired: %v", err)
	}

	// Logout revokes.
	secret = r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "4f2c"})
	if err := r.auth.Store().RevokeSession(ctx, secret, r.clock.Now(), "user:"+iinUser, "logout"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bearer(secret); code(err) != "session_revoked" {
		t.Fatalf("revoked: %v", err)
	}
}

// Touching a session writes at most once a minute.
func TestIdleTouchIsThrottled(t *testing.T) {
	r := newRig(t)
	secret := r.login(t, identity.Login{IIN: iinUser})
	seen := func() time.Time {
		var ts time.Time
		if err := r.pool.QueryRow(context.Background(), `SELECT last_seen_at FROM identity_sessions`).Scan(&ts); err != nil {
			t.Fatal(err)
		}
		return ts
	}
	first := seen()
	r.clock.Advance(30 * time.Second)
	if _, err := r.bearer(secret); err != nil || !seen().Equal(first) {
		t.Fatalf("written within a minute: %v", err)
	}
	r.clock.Advance(31 * time.Second)
	if _, err := r.bearer(secret); err != nil || !seen().Equal(r.clock.Now()) {
		t.Fatalf("not written after a minute: %v %v", err, seen())
	}
}

func TestCompromiseRevokesTheCertificatesSessions(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	stolen := r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "abc1"})
	other := r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "abc2"})
	r.clock.Advance(time.Minute)
	if _, err := r.pool.Exec(ctx, `INSERT INTO compromises.reports VALUES ($1, $2, 'abc1', $3, 1)`, uuid.New(), iinUser, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bearer(stolen); code(err) != "certificate_compromised" {
		t.Fatalf("stolen certificate's session: %v", err)
	}
	if _, err := r.bearer(other); err != nil {
		t.Fatalf("another certificate's session: %v", err)
	}
	// A new login with the reported certificate is refused, and writes nothing.
	before := r.snapshot(t)
	if _, _, err := r.auth.OpenDirect(ctx, identity.Login{IIN: iinUser, CertificateSerial: "abc1"}); code(err) != "certificate_compromised" {
		t.Fatalf("login after the report: %v", err)
	}
	if r.snapshot(t) != before {
		t.Fatal("a refused login wrote")
	}
	// A report without a serial revokes the user's sessions opened up to it.
	r.clock.Advance(time.Minute)
	if _, err := r.pool.Exec(ctx, `INSERT INTO compromises.reports VALUES ($1, $2, '', $3, 2)`, uuid.New(), iinUser, r.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bearer(other); code(err) != "certificate_compromised" {
		t.Fatalf("session before a serial-less report: %v", err)
	}
	r.clock.Advance(time.Minute)
	after := r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "abc3"})
	if _, err := r.bearer(after); err != nil {
		t.Fatalf("session after a serial-less report: %v", err)
	}
}

func TestStaffSessions(t *testing.T) {
	r := newRig(t)
	secret := r.login(t, identity.Login{IIN: iinStaff, Staff: policy.Auditor})
	p, err := r.bearer(secret)
	if err != nil || p.Kind != policy.Staff || p.Staff != policy.Auditor || p.IIN != iinStaff || p.Actor() != "staff:auditor:"+iinStaff {
		t.Fatalf("staff: %+v %v", p, err)
	}
	// The role is withdrawn from the configuration (a restart with a new file).
	delete(r.staff, iinStaff)
	if _, err := r.bearer(secret); code(err) != "staff_role_withdrawn" {
		t.Fatalf("withdrawn: %v", err)
	}
}

func TestParseStaff(t *testing.T) {
	s, err := identity.ParseStaff([]byte(`{"770701300456": "arbiter"}`))
	if r, ok := s.Role(iinStaff); err != nil || !ok || r != policy.Arbiter {
		t.Fatalf("%v %v", s, err)
	}
	for _, bad := range []string{`[]`, `{"770701300456": "janitor"}`, `{"77070130045": "support"}`, `{"770701300457": "support"}`} {
		if _, err := identity.ParseStaff([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestAPITokens(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	party := uuid.New()
	store := r.auth.Store()
	tok, secret, err := store.CreateToken(ctx, party, "1C exchange", []policy.Scope{policy.ScopeRead, policy.ScopeSendDocuments}, r.clock.Now(), "user:"+iinUser)
	if err != nil || !strings.HasPrefix(secret, "dlt_") || len(secret) != 47 {
		t.Fatalf("create: %v %q", err, secret)
	}
	p, err := r.bearer(secret)
	if err != nil || p.Kind != policy.Token || p.PartyID != party || len(p.Scopes) != 2 || p.Credential != tok.ID.String() {
		t.Fatalf("principal %+v %v", p, err)
	}
	for _, bad := range []struct {
		name   string
		scopes []policy.Scope
	}{{"", []policy.Scope{policy.ScopeRead}}, {"x", nil}, {"x", []policy.Scope{"admin"}}, {"x", []policy.Scope{"read", "read"}}, {strings.Repeat("x", 101), []policy.Scope{"read"}}} {
		if _, _, err := store.CreateToken(ctx, party, bad.name, bad.scopes, r.clock.Now(), "x"); code(err) != "api_token_invalid" {
			t.Errorf("%q %v: %v", bad.name, bad.scopes, err)
		}
	}
	list, err := store.Tokens(ctx, party)
	if err != nil || len(list) != 1 || list[0].Name != "1C exchange" || list[0].CreatedBy != "user:"+iinUser {
		t.Fatalf("list %+v %v", list, err)
	}
	if _, err := store.RevokeToken(ctx, uuid.New(), tok.ID, r.clock.Now(), "x"); code(err) != "api_token_not_found" {
		t.Fatalf("another party's token: %v", err)
	}
	r.clock.Advance(time.Minute)
	rev, err := store.RevokeToken(ctx, party, tok.ID, r.clock.Now(), "user:"+iinUser)
	if err != nil || rev.RevokedAt == nil || !rev.RevokedAt.Equal(r.clock.Now()) || rev.RevokedBy != "user:"+iinUser {
		t.Fatalf("revoke %+v %v", rev, err)
	}
	r.clock.Advance(time.Minute)
	again, err := store.RevokeToken(ctx, party, tok.ID, r.clock.Now(), "someone else")
	if err != nil || !again.RevokedAt.Equal(*rev.RevokedAt) || again.RevokedBy != rev.RevokedBy {
		t.Fatalf("revoking again changed it: %+v %v", again, err)
	}
	if _, err := r.bearer(secret); code(err) != "token_revoked" {
		t.Fatalf("revoked token: %v", err)
	}
}

// The tables keep hashes, never secrets; refusals write nothing; the logs
// never carry a secret.
func TestSecretsAreNeverStoredNorLogged(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	session := r.login(t, identity.Login{IIN: iinUser, CertificateSerial: "77"})
	_, token, err := r.auth.Store().CreateToken(ctx, uuid.New(), "t", []policy.Scope{policy.ScopeBilling}, r.clock.Now(), "x")
	if err != nil {
		t.Fatal(err)
	}
	dump := r.snapshot(t)
	for _, s := range []string{session, token, strings.TrimPrefix(session, "dls_"), strings.TrimPrefix(token, "dlt_")} {
		if strings.Contains(dump, s) {
			t.Fatalf("the tables hold a secret")
		}
	}
	for _, s := range []string{session, token} {
		sum := sha256.Sum256([]byte(s))
		var n int
		if err := r.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM identity_sessions WHERE token_sha256 = $1) +
			(SELECT count(*) FROM identity_api_tokens WHERE token_sha256 = $1)`, sum[:]).Scan(&n); err != nil || n != 1 {
			t.Fatalf("hash of a secret stored %d times: %v", n, err)
		}
	}
	if err := r.auth.Store().RevokeSession(ctx, session, r.clock.Now(), "x", "test"); err != nil {
		t.Fatal(err)
	}
	foreign := "dls_" + strings.Repeat("A", 43)
	cases := []struct {
		header, code string
	}{
		{"Basic dXNlcjpwYXNz", "credentials_malformed"},
		{"Bearer", "credentials_malformed"},
		{"Bearer nonsense", "credentials_malformed"},
		{"Bearer dls_short", "credentials_malformed"},
		{"Bearer dls_" + strings.Repeat("*", 43), "credentials_malformed"},
		{"Bearer " + foreign, "credentials_unknown"},
		{"Bearer dlt_" + strings.Repeat("B", 42) + "A", "credentials_unknown"},
		{"Bearer dlt_" + strings.Repeat("B", 43), "credentials_malformed"}, // non-zero padding bits: not canonical
		{"Bearer " + session, "session_revoked"},
	}
	before := r.snapshot(t)
	for _, c := range cases {
		req := httptest.NewRequest("POST", "/api/v1/documents", nil)
		req.Header.Set("Authorization", c.header)
		if _, err := r.auth.Authenticate(req); code(err) != c.code {
			t.Errorf("%q: %v, want %s", c.header, err, c.code)
		}
	}
	if r.snapshot(t) != before {
		t.Fatal("a refusal wrote")
	}
	logs := r.logs.String()
	if strings.Count(logs, "credentials refused") != len(cases) {
		t.Fatalf("refusals not logged: %s", logs)
	}
	for _, s := range []string{session, token, foreign, strings.Repeat("B", 42)} {
		if strings.Contains(logs, s) {
			t.Fatalf("a secret is in the logs: %s", logs)
		}
	}
}

// A session cookie on an unsafe method needs the request to come from the
// same origin; Bearer requests need no such check.
func TestCookieCrossOrigin(t *testing.T) {
	r := newRig(t)
	secret := r.login(t, identity.Login{IIN: iinUser})
	req := func(method string, hdr map[string]string, cookie bool) error {
		q := httptest.NewRequest(method, "https://ledger.example/api/v1/documents", nil)
		for k, v := range hdr {
			q.Header.Set(k, v)
		}
		if cookie {
			q.AddCookie(&http.Cookie{Name: identity.CookieName, Value: secret})
		} else {
			q.Header.Set("Authorization", "Bearer "+secret)
		}
		p, err := r.auth.Authenticate(q)
		if err == nil && p.Kind != policy.User {
			t.Fatalf("principal %+v", p)
		}
		return err
	}
	cross := map[string]string{"Sec-Fetch-Site": "cross-site"}
	for _, c := range []struct {
		name   string
		method string
		hdr    map[string]string
		cookie bool
		code   string
	}{
		{"cookie GET cross-site", "GET", cross, true, ""},
		{"cookie POST same-origin", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, true, ""},
		{"cookie POST cross-site", "POST", cross, true, "csrf_rejected"},
		{"cookie DELETE other Origin", "DELETE", map[string]string{"Origin": "https://evil.example"}, true, "csrf_rejected"},
		{"cookie POST own Origin", "POST", map[string]string{"Origin": "https://ledger.example"}, true, ""},
		{"bearer POST cross-site", "POST", cross, false, ""},
	} {
		if got := code(req(c.method, c.hdr, c.cookie)); got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
}
