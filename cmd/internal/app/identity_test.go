package app_test

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
	"docledger/domain"
)

// edsLogin logs leaf in (with extra fields in the body, and query) and
// returns the answer.
func (s *server) edsLogin(pki *sigtest.PKI, leaf *sigtest.Leaf, query string, extra map[string]any) (int, map[string]any, http.Header) {
	s.t.Helper()
	code, n := s.do("POST", "/api/v1/auth/eds/nonce", nil, nil)
	nonce, _ := n["nonce"].(string)
	if code != 200 || nonce == "" {
		s.t.Fatalf("nonce: %d %v", code, n)
	}
	body := map[string]any{"nonce": nonce, "cms": b64(pki.Sign(s.t, leaf, []byte(nonce), sigtest.SignOptions{}))}
	for k, v := range extra {
		body[k] = v
	}
	return s.doFull("POST", "/api/v1/auth/eds/login"+query, body, nil)
}

// session logs leaf in and returns the session secret.
func (s *server) session(pki *sigtest.PKI, leaf *sigtest.Leaf) string {
	s.t.Helper()
	code, body, _ := s.edsLogin(pki, leaf, "", nil)
	tok, _ := body["session_token"].(string)
	if code != 200 || !strings.HasPrefix(tok, "dls_") {
		s.t.Fatalf("login: %d %v", code, body)
	}
	return tok
}

// authenticate asks the app's Authenticator about a request with header.
func (s *server) authenticate(method string, header map[string]string) (policy.Principal, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+"/api/v1/documents", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	p, err := s.app.Identity.Authenticate(req)
	if err == nil {
		return p, ""
	}
	de, ok := err.(*domain.Error)
	if !ok {
		s.t.Fatalf("authenticate: %v", err)
	}
	return p, de.Code
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func (s *server) sessions() int {
	var n int
	if err := s.app.Pool.QueryRow(context.Background(), "SELECT count(*) FROM identity_sessions").Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// EDS login opens a session the Authenticator accepts; the cookie is
// HttpOnly, Secure, SameSite=Lax; logout revokes it; idle and absolute
// expiry end it by the injected clock.
func TestSessionsThroughLedgerd(t *testing.T) {
	s, pki := edsServer(t)
	auth := pki.Issue(t, sigtest.Spec{IIN: iinHead, BIN: binEntity, Auth: true, Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	code, login, hdr := s.edsLogin(pki, auth, "?cookie=1", nil)
	tok, _ := login["session_token"].(string)
	if code != 200 || login["kind"] != "user" || login["session_id"] == nil || !strings.HasPrefix(tok, "dls_") {
		t.Fatalf("login: %d %v", code, login)
	}
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{"dl_session=" + tok, "HttpOnly", "Secure", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Fatalf("cookie %q lacks %q", cookie, want)
		}
	}
	p, c := s.authenticate("GET", bearer(tok))
	if c != "" || p.Kind != policy.User || p.IIN != iinHead || p.BIN != binEntity || p.CertificateSerial != auth.Cert.SerialNumber.Text(16) ||
		len(p.CertRoles) != 2 || p.Credential != login["session_id"] {
		t.Fatalf("principal %+v %s", p, c)
	}
	// The same session in the cookie; an unsafe request from another site is refused.
	if p, c := s.authenticate("GET", map[string]string{"Cookie": "dl_session=" + tok}); c != "" || p.IIN != iinHead {
		t.Fatalf("cookie: %+v %s", p, c)
	}
	if code, body := s.do("POST", "/api/v1/auth/logout", nil, map[string]string{"Cookie": "dl_session=" + tok, "Sec-Fetch-Site": "cross-site"}); code != 403 || errCode(body) != "csrf_rejected" {
		t.Fatalf("cross-site logout: %d %v", code, body)
	}
	code, _, hdr = s.doFull("POST", "/api/v1/auth/logout", nil, map[string]string{"Cookie": "dl_session=" + tok, "Sec-Fetch-Site": "same-origin"})
	if code != 204 || !strings.Contains(hdr.Get("Set-Cookie"), "dl_session=;") {
		t.Fatalf("logout: %d %v", code, hdr)
	}
	if _, c := s.authenticate("GET", bearer(tok)); c != "session_revoked" {
		t.Fatalf("after logout: %s", c)
	}
	if code, body := s.do("POST", "/api/v1/auth/logout", nil, bearer(tok)); code != 401 || errCode(body) != "session_revoked" {
		t.Fatalf("logout twice: %d %v", code, body)
	}

	// Idle: 31 minutes without a request.
	tok = s.session(pki, auth)
	s.clock.Advance(31 * time.Minute)
	if code, body := s.do("GET", "/api/v1/parties/"+uuid.NewString()+"/api-tokens", nil, bearer(tok)); code != 401 || errCode(body) != "session_idle_timeout" {
		t.Fatalf("idle: %d %v", code, body)
	}
	// Absolute: used every 25 minutes, the session still ends after 8 hours.
	tok = s.session(pki, auth)
	for range 19 {
		s.clock.Advance(25 * time.Minute)
		if _, c := s.authenticate("GET", bearer(tok)); c != "" {
			t.Fatalf("at %s: %s", s.clock.Now(), c)
		}
	}
	s.clock.Advance(25 * time.Minute)
	if code, body := s.do("GET", "/api/v1/parties/"+uuid.NewString()+"/api-tokens", nil, bearer(tok)); code != 401 || errCode(body) != "session_expired" {
		t.Fatalf("expired: %d %v", code, body)
	}
}

// A SIGN certificate cannot log in, nor a self-made certificate copying an
// NCA subject (IIN, BIN, name) that does not chain to the trust anchors;
// neither writes a session.
func TestLoginRefusesWrongCertificates(t *testing.T) {
	s, pki := edsServer(t)
	spec := sigtest.Spec{IIN: iinHead, BIN: binEntity, CommonName: "ТЕСТОВ ТЕСТ", Organization: "ТОО Тест", Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}}
	sign := pki.Issue(t, spec)
	forged := spec
	forged.Auth, forged.SelfSigned = true, true
	rogueCA := spec
	rogueCA.Auth, rogueCA.Issuer = true, sigtest.NewRootAt(t, "НАЦИОНАЛЬНЫЙ УДОСТОВЕРЯЮЩИЙ ЦЕНТР (RSA)", s.clock.Now())
	for _, c := range []struct {
		name string
		leaf *sigtest.Leaf
		code string
	}{
		{"SIGN certificate", sign, string(signature.CodeNotAuthCertificate)},
		{"self-signed copy of the subject", pki.Issue(t, forged), string(signature.CodeCertSelfSigned)},
		{"copy of the subject from a rogue CA", pki.Issue(t, rogueCA), string(signature.CodeCertUntrusted)},
	} {
		code, body, _ := s.edsLogin(pki, c.leaf, "", nil)
		if code != 401 || errCode(body) != c.code || body["session_token"] != nil {
			t.Errorf("%s: %d %v, want 401 %s", c.name, code, body, c.code)
		}
	}
	if n := s.sessions(); n != 0 {
		t.Fatalf("%d sessions written", n)
	}
}

// Staff log in with EDS as staff, in the role LEDGER_STAFF_FILE gives.
func TestStaffLogin(t *testing.T) {
	file := filepath.Join(t.TempDir(), "staff.json")
	if err := os.WriteFile(file, []byte(`{"`+iinEmployee+`": "support"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEDGER_STAFF_FILE", file)
	s, pki := edsServer(t)
	staff := pki.Issue(t, sigtest.Spec{IIN: iinEmployee, Auth: true, Key: sigtest.ECDSAP256})
	code, body, _ := s.edsLogin(pki, staff, "", map[string]any{"as": "staff"})
	if code != 200 || body["kind"] != "staff" || body["staff_role"] != "support" {
		t.Fatalf("staff login: %d %v", code, body)
	}
	if p, c := s.authenticate("GET", bearer(body["session_token"].(string))); c != "" || p.Kind != policy.Staff || p.Staff != policy.Support {
		t.Fatalf("staff principal %+v %s", p, c)
	}
	// As a user, the same person is a user.
	if p, c := s.authenticate("GET", bearer(s.session(pki, staff))); c != "" || p.Kind != policy.User {
		t.Fatalf("user principal %+v %s", p, c)
	}
	other := pki.Issue(t, sigtest.Spec{IIN: iinHead, Auth: true, Key: sigtest.ECDSAP256})
	n := s.sessions()
	if code, body, _ := s.edsLogin(pki, other, "", map[string]any{"as": "staff"}); code != 403 || errCode(body) != "not_staff" {
		t.Fatalf("not staff: %d %v", code, body)
	}
	if s.sessions() != n {
		t.Fatal("a refused staff login wrote a session")
	}
}

// A party's report that an EDS key is compromised revokes every session of
// that certificate, and refuses its logins from then on.
func TestCompromiseReportRevokesSessions(t *testing.T) {
	s, pki := edsServer(t)
	texts := offerTexts("kezekte-agreement", "kk", "ru")
	s.publish("kezekte-agreement", "kezekte", texts)
	leaf := pki.Issue(t, sigtest.Spec{IIN: iinSelf, CommonName: "ТЕСТОВ ТЕСТ", Key: sigtest.ECDSAP256, Roles: []string{string(signature.RoleIndividual)}})
	code, body := s.do("POST", "/api/v1/parties", map[string]any{
		"profile": "kezekte", "kind": "individual", "identity_number": iinSelf, "resident": true,
		"names": map[string]any{"full": "Тестов Тест"}, "contacts": map[string]any{"email": "t@example.kz"},
		"proofs": []any{edsProof(pki.Sign(t, leaf, texts["kk"], sigtest.SignOptions{Timestamp: true}))},
		"accept": map[string]any{"offer_id": "kezekte-agreement", "version": 1, "trigger": "eds_signed",
			"consents": consents("personal_data", "commercial_and_tax_secrets")},
	}, nil)
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["party_id"].(string)
	stolen := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Auth: true, Key: sigtest.ECDSAP256})
	spare := pki.Issue(t, sigtest.Spec{IIN: iinSelf, Auth: true, Key: sigtest.ECDSAP256})
	first, second, kept := s.session(pki, stolen), s.session(pki, stolen), s.session(pki, spare)
	if code, body := s.do("POST", "/api/v1/parties/"+id+"/compromise-reports", map[string]any{"user_iin": iinSelf, "credential": "eds_key",
		"certificate_serial": stolen.Cert.SerialNumber.Text(16), "statement": "token lost"}, nil); code != 200 {
		t.Fatalf("report: %d %v", code, body)
	}
	s.caughtUp("compromises")
	for _, tok := range []string{first, second} {
		if code, body := s.do("GET", "/api/v1/parties/"+id+"/api-tokens", nil, bearer(tok)); code != 401 || errCode(body) != "certificate_compromised" {
			t.Fatalf("session of the stolen certificate: %d %v", code, body)
		}
	}
	if _, c := s.authenticate("GET", bearer(kept)); c != "" {
		t.Fatalf("session of another certificate: %s", c)
	}
	n := s.sessions()
	if code, body, _ := s.edsLogin(pki, stolen, "", nil); code != 401 || errCode(body) != "certificate_compromised" {
		t.Fatalf("login with the stolen certificate: %d %v", code, body)
	}
	if s.sessions() != n {
		t.Fatal("a refused login wrote a session")
	}
}

// API tokens through ledgerd: created (secret once), listed without
// secrets, authenticating as the party within their scopes, revoked; bad
// credentials get their codes.
func TestAPITokensThroughLedgerd(t *testing.T) {
	s, _ := edsServer(t)
	// The tokens are managed by the operator's administrator (the default
	// test principal, asAdmin): who may manage them is the policy's
	// business, tested in the tenant-isolation matrix.
	var admin map[string]string
	party := uuid.NewString()
	path := "/api/v1/parties/" + party + "/api-tokens"
	code, created := s.do("POST", path, map[string]any{"name": "1C exchange", "scopes": []string{"read", "send_documents"}}, admin)
	secret, _ := created["token"].(string)
	if code != 201 || !strings.HasPrefix(secret, "dlt_") || created["created_by"] != "staff:administrator:800101300019" || created["party_id"] != party {
		t.Fatalf("create: %d %v", code, created)
	}
	p, c := s.authenticate("POST", bearer(secret))
	if c != "" || p.Kind != policy.Token || p.PartyID.String() != party || len(p.Scopes) != 2 || p.Actor() != "token:"+created["id"].(string)+"@"+party {
		t.Fatalf("token principal %+v %s", p, c)
	}
	// Listed without the secret; the table holds only its hash.
	code, listed := s.do("GET", path, nil, admin)
	if code != 200 || len(list(listed["api_tokens"])) != 1 || obj(list(listed["api_tokens"])[0])["token"] != nil {
		t.Fatalf("list: %d %v", code, listed)
	}
	var dump string
	var hashes int
	sum := sha256.Sum256([]byte(secret))
	if err := s.app.Pool.QueryRow(context.Background(), `SELECT string_agg(t::text, '|'), count(*) FILTER (WHERE token_sha256 = $1)
		FROM identity_api_tokens t`, sum[:]).Scan(&dump, &hashes); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump, strings.TrimPrefix(secret, "dlt_")) || hashes != 1 {
		t.Fatalf("the table holds the secret, or not its hash: %s", dump)
	}
	// A token does not make tokens.
	if code, body := s.do("POST", path, map[string]any{"name": "more", "scopes": []string{"billing"}}, bearer(secret)); code != 403 || errCode(body) != "forbidden" {
		t.Fatalf("token makes a token: %d %v", code, body)
	}
	for _, c := range []struct {
		name   string
		header map[string]string
		code   string
		status int
	}{
		{"anonymous", map[string]string{"Authorization": ""}, "unauthenticated", 401},
		{"malformed", bearer("not-a-token"), "credentials_malformed", 401},
		{"basic", map[string]string{"Authorization": "Basic YTpi"}, "credentials_malformed", 401},
		{"foreign session", bearer("dls_" + strings.Repeat("x", 42) + "w"), "credentials_unknown", 401},
		{"foreign token", bearer("dlt_" + strings.Repeat("y", 42) + "A"), "credentials_unknown", 401},
	} {
		n := s.eventCount()
		if code, body := s.do("POST", path, map[string]any{"name": "x", "scopes": []string{"read"}}, c.header); code != c.status || errCode(body) != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, body, c.status, c.code)
		}
		if s.eventCount() != n {
			t.Errorf("%s: events written", c.name)
		}
	}
	if code, body := s.do("POST", path, map[string]any{"name": "x", "scopes": []string{"admin"}}, admin); code != 400 || errCode(body) != "api_token_invalid" {
		t.Fatalf("bad scope: %d %v", code, body)
	}
	code, revoked := s.do("DELETE", path+"/"+created["id"].(string), nil, admin)
	if code != 200 || revoked["revoked_at"] == nil || revoked["revoked_by"] != "staff:administrator:800101300019" {
		t.Fatalf("revoke: %d %v", code, revoked)
	}
	if code, body := s.do("GET", path, nil, bearer(secret)); code != 401 || errCode(body) != "token_revoked" {
		t.Fatalf("revoked token: %d %v", code, body)
	}
	if code, body := s.do("DELETE", "/api/v1/parties/"+uuid.NewString()+"/api-tokens/"+created["id"].(string), nil, admin); code != 404 || errCode(body) != "api_token_not_found" {
		t.Fatalf("another party's token: %d %v", code, body)
	}
}

// startLogged is edsServer with the logs, at debug level, in a buffer.
func startLogged(t *testing.T) (*server, *sigtest.PKI, *syncBuffer) {
	t.Helper()
	clock := domain.NewManualClock(epoch)
	pki := sigtest.NewAt(t, clock.Now)
	t.Setenv("LEDGER_TRUST_DIR", pki.TrustDir(t))
	logs := &syncBuffer{}
	s := startServer(t, clock, nil, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), testPrincipals)
	return s, pki, logs
}

// The logs of a run with logins, tokens, refusals and a logout hold no
// secret; the refusals are there, by code.
func TestIdentityKeepsSecretsOutOfLogs(t *testing.T) {
	s, pki, logs := startLogged(t)
	auth := pki.Issue(t, sigtest.Spec{IIN: iinHead, Auth: true, Key: sigtest.ECDSAP256})
	session := s.session(pki, auth)
	code, _, hdr := s.edsLogin(pki, auth, "?cookie=1", nil)
	if code != 200 {
		t.Fatal(code)
	}
	cookie := strings.SplitN(hdr.Get("Set-Cookie"), ";", 2)[0]
	path := "/api/v1/parties/" + uuid.NewString() + "/api-tokens"
	// The operator's administrator (the default test principal) makes the
	// token: who may is the policy's business, tested in the matrix.
	_, created := s.do("POST", path, map[string]any{"name": "erp", "scopes": []string{"read"}}, nil)
	token, _ := created["token"].(string)
	foreign := "dls_" + strings.Repeat("Q", 42) + "A"
	s.do("GET", path, nil, bearer(token))
	s.do("GET", path, nil, bearer(foreign))
	s.do("GET", path, nil, bearer("garbage-"+session))
	s.do("POST", "/api/v1/auth/logout", nil, map[string]string{"Cookie": cookie, "Sec-Fetch-Site": "cross-site"})
	s.do("POST", "/api/v1/auth/logout", nil, bearer(session))
	s.do("GET", path, nil, bearer(session))
	secrets := []string{session, token, foreign, strings.TrimPrefix(session, "dls_"), strings.TrimPrefix(token, "dlt_"), strings.TrimPrefix(cookie, "dl_session=dls_")}
	if token == "" || len(secrets[5]) != 43 {
		t.Fatalf("token %q, cookie %q", token, cookie)
	}
	out := logs.String()
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			t.Fatalf("a secret is in the logs:\n%s", out)
		}
	}
	for _, c := range []string{"credentials_unknown", "credentials_malformed", "csrf_rejected", "session_revoked"} {
		if !strings.Contains(out, `"code":"`+c+`"`) {
			t.Errorf("refusal %s not logged:\n%s", c, out)
		}
	}
}
