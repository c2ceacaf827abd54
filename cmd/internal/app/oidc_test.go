package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"docledger/adapters/policy"
)

// provider is an OpenID Connect provider on loopback: discovery and keys
// from go-oidc's oidctest, and a token endpoint that checks the PKCE
// verifier and signs the ID token the test asks for.
type provider struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey
	mu  sync.Mutex
	// challenge is the PKCE challenge of the pending login; claims the
	// ID token's claims.
	challenge string
	claims    map[string]any
}

func newProvider(t *testing.T) *provider {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	mux := http.NewServeMux()
	mux.Handle("/", keys)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	keys.SetIssuer(p.srv.URL)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("code") != "good-code" || base64.RawURLEncoding.EncodeToString(sum[:]) != p.challenge {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error": "invalid_grant"}`))
		return
	}
	claims, _ := json.Marshal(p.claims)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600,
		"id_token": oidctest.SignIDToken(p.key, "k1", "RS256", string(claims))})
}

// Staff log in with the OIDC provider: code flow with PKCE, state and
// nonce; every mismatch is refused with its code and writes no session.
func TestStaffLoginWithOIDC(t *testing.T) {
	idp := newProvider(t)
	file := filepath.Join(t.TempDir(), "staff.json")
	if err := os.WriteFile(file, []byte(`{"`+iinEmployee+`": "arbiter"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LEDGER_STAFF_FILE", file)
	t.Setenv("LEDGER_OIDC_ISSUER", idp.srv.URL)
	t.Setenv("LEDGER_OIDC_CLIENT_ID", "docledger")
	t.Setenv("LEDGER_OIDC_CLIENT_SECRET", "client-secret")
	t.Setenv("LEDGER_OIDC_REDIRECT_URL", "https://ledger.example/api/v1/auth/oidc/callback")
	s := start(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// begin starts a login and returns its state and the dl_oidc cookie.
	begin := func() (state, nonce, cookie string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.base+"/api/v1/auth/oidc/start", nil)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := checkAPI(req, nil, resp.StatusCode, resp.Header, nil); err != nil {
			t.Errorf("openapi: %v", err)
		}
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || err != nil || !strings.HasPrefix(loc.String(), idp.srv.URL+"/auth?") {
			t.Fatalf("start: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		q := loc.Query()
		if q.Get("client_id") != "docledger" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" ||
			!strings.Contains(q.Get("scope"), "openid") {
			t.Fatalf("authorisation request %v", q)
		}
		for _, c := range resp.Cookies() {
			if c.Name == "dl_oidc" && c.HttpOnly && c.Secure && c.SameSite == http.SameSiteLaxMode {
				cookie = "dl_oidc=" + c.Value
			}
		}
		if cookie == "" {
			t.Fatalf("no dl_oidc cookie: %v", resp.Header)
		}
		idp.mu.Lock()
		idp.challenge = q.Get("code_challenge")
		idp.mu.Unlock()
		return q.Get("state"), q.Get("nonce"), cookie
	}
	claims := func(nonce, iin string) map[string]any {
		now := s.clock.Now()
		return map[string]any{"iss": idp.srv.URL, "aud": "docledger", "sub": "employee-7", "iin": iin, "nonce": nonce,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	}
	setClaims := func(c map[string]any) { idp.mu.Lock(); idp.claims = c; idp.mu.Unlock() }

	state, nonce, cookie := begin()
	setClaims(claims(nonce, iinEmployee))
	code, body, hdr := s.doFull("GET", "/api/v1/auth/oidc/callback?code=good-code&state="+state, nil, map[string]string{"Cookie": cookie})
	tok, _ := body["session_token"].(string)
	if code != 200 || body["kind"] != "staff" || body["staff_role"] != "arbiter" || !strings.HasPrefix(tok, "dls_") ||
		!strings.Contains(strings.Join(hdr.Values("Set-Cookie"), "\n"), "dl_session="+tok) {
		t.Fatalf("callback: %d %v %v", code, body, hdr)
	}
	if p, c := s.authenticate("GET", bearer(tok)); c != "" || p.Kind != policy.Staff || p.Staff != policy.Arbiter || p.IIN != iinEmployee {
		t.Fatalf("principal %+v %s", p, c)
	}

	n := s.sessions()
	for _, c := range []struct {
		name   string
		query  func(state string) string
		claims func(nonce string) map[string]any
		cookie bool
		status int
		code   string
	}{
		{"another state", func(string) string { return "code=good-code&state=forged" }, nil, true, 401, "oidc_state_mismatch"},
		{"no cookie", func(st string) string { return "code=good-code&state=" + st }, nil, false, 401, "oidc_state_mismatch"},
		{"provider refused", func(st string) string { return "error=access_denied&state=" + st }, nil, true, 401, "oidc_refused"},
		{"bad code", func(st string) string { return "code=stolen&state=" + st }, nil, true, 401, "oidc_code_invalid"},
		{"another nonce", nil, func(string) map[string]any { return claims("replayed", iinEmployee) }, true, 401, "oidc_token_invalid"},
		{"expired ID token", nil, func(nonce string) map[string]any {
			c := claims(nonce, iinEmployee)
			c["exp"] = s.clock.Now().Add(-time.Hour).Unix()
			return c
		}, true, 401, "oidc_token_invalid"},
		{"another audience", nil, func(nonce string) map[string]any {
			c := claims(nonce, iinEmployee)
			c["aud"] = "another-client"
			return c
		}, true, 401, "oidc_token_invalid"},
		{"not staff", nil, func(nonce string) map[string]any { return claims(nonce, iinHead) }, true, 403, "not_staff"},
	} {
		state, nonce, cookie := begin()
		q := "code=good-code&state=" + state
		if c.query != nil {
			q = c.query(state)
		}
		setClaims(claims(nonce, iinEmployee))
		if c.claims != nil {
			setClaims(c.claims(nonce))
		}
		hdr := map[string]string{}
		if c.cookie {
			hdr["Cookie"] = cookie
		}
		if code, body := s.do("GET", "/api/v1/auth/oidc/callback?"+q, nil, hdr); code != c.status || errCode(body) != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, code, body, c.status, c.code)
		}
	}
	if s.sessions() != n {
		t.Fatal("a refused OIDC login wrote a session")
	}
}

// Without LEDGER_OIDC_ISSUER the OIDC endpoints say it is not configured.
func TestOIDCUnconfigured(t *testing.T) {
	s := start(t)
	if code, body := s.do("GET", "/api/v1/auth/oidc/callback?code=x&state=y", nil, nil); code != 503 || errCode(body) != "oidc_unavailable" {
		t.Fatalf("%d %v", code, body)
	}
}
