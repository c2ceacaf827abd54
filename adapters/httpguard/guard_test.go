package httpguard_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"docledger/adapters/httpguard"
)

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func do(h http.Handler, remote, token string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", "/api/v1/documents/x", nil)
	req.RemoteAddr = remote
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
		t.Fatalf("not the error envelope: %q", rec.Body)
	}
	return body.Error.Code
}

func TestSecurityHeaders(t *testing.T) {
	g := httpguard.New(httpguard.Config{}, ok)
	rec := do(g, "192.0.2.1:1000", "")
	for k, want := range map[string]string{
		"Content-Security-Policy": httpguard.DefaultCSP, "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if rec.Header().Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain HTTP")
	}
}

// A token's burst is refused with 429 and Retry-After while another token
// and the budget's refill go through; a refusal spends nothing.
func TestTokenLimit(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	g := httpguard.New(httpguard.Config{TokenRate: 1, TokenBurst: 3, IPRate: 100, IPBurst: 100, Now: clk.now}, ok)
	for i := range 3 {
		if rec := do(g, "192.0.2.1:1000", "alpha"); rec.Code != 200 {
			t.Fatalf("request %d: %d", i, rec.Code)
		}
	}
	rec := do(g, "192.0.2.1:1000", "alpha")
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" || errorCode(t, rec) != "rate_limited" {
		t.Fatalf("over the burst: %d Retry-After %q %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Error("a refusal without the security headers")
	}
	if rec := do(g, "192.0.2.1:1000", "beta"); rec.Code != 200 {
		t.Fatalf("another token: %d", rec.Code)
	}
	if rec := do(g, "192.0.2.1:1000", ""); rec.Code != 200 {
		t.Fatalf("no token: %d", rec.Code)
	}
	clk.t = clk.t.Add(time.Second)
	if rec := do(g, "192.0.2.1:1000", "alpha"); rec.Code != 200 {
		t.Fatalf("after the refill: %d", rec.Code)
	}
	if rec := do(g, "192.0.2.1:1000", "alpha"); rec.Code != 429 {
		t.Fatalf("refill of one: %d", rec.Code)
	}
}

// A token's refused flood does not spend its address's budget.
func TestRefusalSpendsNothing(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	g := httpguard.New(httpguard.Config{TokenRate: 1, TokenBurst: 1, IPRate: 1, IPBurst: 3, Now: clk.now}, ok)
	if rec := do(g, "192.0.2.1:1", "greedy"); rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	for range 10 {
		if rec := do(g, "192.0.2.1:1", "greedy"); rec.Code != 429 {
			t.Fatal(rec.Code)
		}
	}
	for i := range 2 {
		if rec := do(g, "192.0.2.1:1", "other"+strconv.Itoa(i)); rec.Code != 200 {
			t.Fatalf("the address's budget after the flood, request %d: %d", i, rec.Code)
		}
	}
	if rec := do(g, "192.0.2.1:1", ""); rec.Code != 429 {
		t.Fatalf("the address's burst of 3 is spent: %d", rec.Code)
	}
}

func TestIPLimit(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	g := httpguard.New(httpguard.Config{IPRate: 0.5, IPBurst: 2, Now: clk.now}, ok)
	for range 2 {
		if rec := do(g, "192.0.2.1:1000", ""); rec.Code != 200 {
			t.Fatal(rec.Code)
		}
	}
	rec := do(g, "192.0.2.1:2000", "a-fresh-token")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("another port, a new token: %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	if rec := do(g, "192.0.2.2:1000", ""); rec.Code != 200 {
		t.Fatalf("another address: %d", rec.Code)
	}
	// IPv6: one /64 is one client.
	for range 2 {
		do(g, "[2001:db8::1]:1", "")
	}
	if rec := do(g, "[2001:db8::ffff]:1", ""); rec.Code != 429 {
		t.Fatalf("same /64: %d", rec.Code)
	}
	if rec := do(g, "[2001:db8:0:1::1]:1", ""); rec.Code != 200 {
		t.Fatalf("another /64: %d", rec.Code)
	}
}

func TestClientIP(t *testing.T) {
	trusted, err := httpguard.ParsePrefixes("10.0.0.0/8, 192.168.1.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		remote, xff string
		trusted     []netip.Prefix
		want        string
	}{
		{"203.0.113.5:1", "198.51.100.1", nil, "203.0.113.5"},                // no trusted proxies: header ignored
		{"203.0.113.5:1", "198.51.100.1", trusted, "203.0.113.5"},            // an untrusted peer's header is ignored
		{"10.1.2.3:1", "198.51.100.1", trusted, "198.51.100.1"},              // behind the proxy
		{"10.1.2.3:1", "6.6.6.6, 198.51.100.1", trusted, "198.51.100.1"},     // a forged left-most entry is not believed
		{"10.1.2.3:1", "198.51.100.1, 192.168.1.7", trusted, "198.51.100.1"}, // two proxies
		{"10.1.2.3:1", "junk, 198.51.100.1", trusted, "198.51.100.1"},
		{"10.1.2.3:1", "198.51.100.1, junk", trusted, "10.1.2.3"},
		{"10.1.2.3:1", "", trusted, "10.1.2.3"},
		{"[::ffff:203.0.113.5]:1", "", nil, "203.0.113.5"},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = c.remote
		if c.xff != "" {
			req.Header.Set("X-Forwarded-For", c.xff)
		}
		got, ok := httpguard.ClientIP(req, c.trusted)
		if !ok || got.String() != c.want {
			t.Errorf("%s XFF %q: %v, want %s", c.remote, c.xff, got, c.want)
		}
	}
	if _, err := httpguard.ParsePrefixes("10.0.0.0/33"); err == nil {
		t.Error("a bad prefix passed")
	}
}

// Over the cap a request waits QueueWait, then is answered 503 overloaded.
func TestConcurrencyCap(t *testing.T) {
	release := make(chan struct{})
	var entered sync.WaitGroup
	entered.Add(2)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered.Done()
		<-release
	})
	g := httpguard.New(httpguard.Config{MaxConcurrent: 2, QueueWait: 20 * time.Millisecond}, slow)
	var done sync.WaitGroup
	for range 2 {
		done.Add(1)
		go func() { defer done.Done(); do(g, "192.0.2.1:1", "") }()
	}
	entered.Wait()
	rec := do(g, "192.0.2.1:1", "")
	if rec.Code != http.StatusServiceUnavailable || errorCode(t, rec) != "overloaded" || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("over the cap: %d %s", rec.Code, rec.Body)
	}
	close(release)
	done.Wait()
	entered.Add(1)
	if rec := do(g, "192.0.2.1:1", ""); rec.Code != 200 {
		t.Fatalf("after: %d", rec.Code)
	}
}

func TestExempt(t *testing.T) {
	g := httpguard.New(httpguard.Config{IPRate: 1, IPBurst: 1, Exempt: func(r *http.Request) bool { return r.URL.Path == "/healthz" }}, ok)
	do(g, "192.0.2.1:1", "")
	if rec := do(g, "192.0.2.1:1", ""); rec.Code != 429 {
		t.Fatal(rec.Code)
	}
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.RemoteAddr = "192.0.2.1:1"
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("exempt: %d %v", rec.Code, rec.Header())
	}
}

// The limiter tables stay bounded: idle keys are dropped and a full table
// makes room.
func TestLimitersBounded(t *testing.T) {
	l := httpguard.NewLimiters(rate.Limit(1), 1, 100, time.Minute)
	now := time.Unix(1e9, 0)
	for i := range 1000 {
		l.Get(string(rune('a'+i%26))+string(rune(i)), now)
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("%d keys held, bound 100", n)
	}
	l.Get("late", now.Add(2*time.Minute))
	if n := l.Len(); n != 1 {
		t.Fatalf("%d keys after the idle period, want 1", n)
	}
}

func TestBearerTokenAndHash(t *testing.T) {
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "bearer  s3cret ")
	if got := httpguard.BearerToken(req); got != "s3cret" {
		t.Fatalf("%q", got)
	}
	req.Header.Set("Authorization", "Basic xyz")
	if got := httpguard.BearerToken(req); got != "" {
		t.Fatalf("basic: %q", got)
	}
	h := httpguard.TokenHash("s3cret")
	if len(h) != 32 || h == httpguard.TokenHash("s3cres") {
		t.Fatalf("hash %q", h)
	}
}

// The login endpoints have their own, tighter limit per address.
func TestLoginLimit(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	g := httpguard.New(httpguard.Config{IPRate: 100, IPBurst: 100, LoginRate: 0.1, LoginBurst: 2, Now: clk.now,
		Login: func(r *http.Request) bool { return r.URL.Path == "/login" }}, ok)
	login := func(remote string) int {
		req := httptest.NewRequest("POST", "/login", nil)
		req.RemoteAddr = remote
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		return rec.Code
	}
	if login("192.0.2.1:1") != 200 || login("192.0.2.1:1") != 200 {
		t.Fatal("within the login burst")
	}
	if code := login("192.0.2.1:1"); code != 429 {
		t.Fatalf("over the login burst: %d", code)
	}
	if rec := do(g, "192.0.2.1:1", ""); rec.Code != 200 {
		t.Fatalf("other endpoints: %d", rec.Code)
	}
	if code := login("192.0.2.2:1"); code != 200 {
		t.Fatalf("another address: %d", code)
	}
}
