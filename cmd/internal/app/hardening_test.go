package app_test

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/adapters/signature/sigtest"
	"docledger/cmd/internal/app"
	"docledger/domain"
)

// admin GETs path from the admin listener and returns status and body.
func (s *server) adminGet(path string) (int, []byte) {
	s.t.Helper()
	if s.app.AdminAddr() == "" {
		s.t.Fatal("no admin listener")
	}
	resp, err := http.Get("http://" + s.app.AdminAddr() + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// admin is the body of a 200 from the admin listener.
func (s *server) admin(path string) []byte {
	s.t.Helper()
	code, raw := s.adminGet(path)
	if code != 200 {
		s.t.Fatalf("admin %s: %d %.200s", path, code, raw)
	}
	return raw
}

// /metrics and pprof answer on the admin listener only; the API's answers
// 404 for them. Every API answer carries the security headers.
func TestAdminListener(t *testing.T) {
	s := start(t)
	for _, p := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/heap"} {
		code, body, hdr := s.doFull("GET", p, nil, nil)
		if code != 404 || errCode(body) != "not_found" {
			t.Errorf("API %s: %d %v", p, code, body)
		}
		if hdr.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("API %s: no security headers on a 404: %v", p, hdr)
		}
	}
	if m := s.admin("/metrics"); !bytes.Contains(m, []byte("go_goroutines")) || !bytes.Contains(m, []byte("ledger_")) {
		t.Errorf("admin /metrics: %.300s", m)
	}
	if p := s.admin("/debug/pprof/"); !bytes.Contains(p, []byte("goroutine")) {
		t.Errorf("admin pprof index: %.300s", p)
	}
	s.admin("/debug/pprof/cmdline")
	s.admin("/debug/pprof/heap?debug=1")
	if code, _ := s.adminGet("/api/v1/openapi.yaml"); code != 404 {
		t.Errorf("the admin listener serves the API: %d", code)
	}
	code, _, hdr := s.doFull("GET", "/healthz", nil, nil)
	if code != 200 {
		t.Fatalf("healthz %d", code)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
		if hdr.Get(k) != want {
			t.Errorf("%s: %q", k, hdr.Get(k))
		}
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if hdr.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
}

// A client that trickles its header bytes is cut off by the read-header
// timeout, while the other clients are served meanwhile.
func TestSlowHeaderClient(t *testing.T) {
	const timeout = 500 * time.Millisecond
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) { c.Hardening.ReadHeaderTimeout = timeout }, nil)
	type result struct {
		elapsed time.Duration
		sent    int
		err     error
	}
	const slow = 5
	results := make(chan result, slow)
	for range slow {
		go func() {
			conn, err := net.Dial("tcp", s.app.Addr())
			if err != nil {
				results <- result{err: err}
				return
			}
			defer conn.Close()
			start := time.Now()
			header := "GET /healthz HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X-Slow: a\r\n", 100) + "\r\n"
			n := 0
			for ; n < len(header); n++ { // one byte every 20 ms: 22 s for the whole header
				if _, err := conn.Write([]byte{header[n]}); err != nil {
					break
				}
				_ = conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
				if _, err := conn.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
					break // closed by the server
				}
				if time.Since(start) > 10*time.Second {
					break
				}
			}
			results <- result{elapsed: time.Since(start), sent: n}
		}()
	}
	time.Sleep(100 * time.Millisecond)
	for i := range 10 { // the others are served while the slow clients trickle
		begin := time.Now()
		code, _ := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, nil)
		if code != 404 || time.Since(begin) > 300*time.Millisecond {
			t.Errorf("request %d beside the slow clients: %d in %v", i, code, time.Since(begin))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for range slow {
		r := <-results
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.elapsed < timeout || r.elapsed > timeout+2*time.Second {
			t.Errorf("a slow-header client was cut off after %v (%d bytes), want about %v", r.elapsed, r.sent, timeout)
		}
	}
}

// A request whose headers exceed LEDGER_HTTP_MAX_HEADER_BYTES is refused
// (431) and the server goes on serving.
func TestHeaderTooLarge(t *testing.T) {
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) { c.Hardening.MaxHeaderBytes = 8 << 10 }, nil)
	req, _ := http.NewRequest("GET", s.base+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 64 KiB header: %d", resp.StatusCode)
	}
	if code, _ := s.do("GET", "/healthz", nil, nil); code != 200 {
		t.Fatalf("after: %d", code)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// A burst from one token gets 429 with Retry-After (in the error envelope,
// as the description says) while another token's requests, and those
// without a token, are still served.
func TestRateLimitBurstFromOneToken(t *testing.T) {
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) {
		c.Hardening.RateToken, c.Hardening.RateTokenBurst = 2, 5
		c.Hardening.RateIP, c.Hardening.RateIPBurst = 1000, 1000
	}, nil)
	admin := policy.Principal{Kind: policy.Staff, Staff: policy.Administrator, IIN: "800101300019"}
	greedyName, otherName := "greedy-"+uuid.NewString(), "other-"+uuid.NewString()
	testPrincipals.add(greedyName, admin)
	testPrincipals.add(otherName, admin)
	greedy := map[string]string{"Authorization": "Bearer test-" + greedyName}
	limited := 0
	for range 40 {
		code, body, hdr := s.doFull("GET", "/api/v1/documents/"+uuid.NewString(), nil, greedy)
		switch code {
		case 404:
		case 429:
			limited++
			if errCode(body) != "rate_limited" || hdr.Get("Retry-After") == "" || hdr.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("429: %v Retry-After %q", body, hdr.Get("Retry-After"))
			}
		default:
			t.Fatalf("greedy: %d %v", code, body)
		}
	}
	if limited < 30 {
		t.Fatalf("%d of 40 burst requests refused, want at least 30", limited)
	}
	other := map[string]string{"Authorization": "Bearer test-" + otherName}
	for i := range 5 {
		if code, body := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, other); code != 404 {
			t.Fatalf("another token, request %d: %d %v", i, code, body)
		}
		if code, body := s.do("POST", "/api/v1/commands/NoSuchCommand", map[string]any{}, greedy); code != 429 {
			t.Fatalf("the greedy token on a command: %d %v", code, body)
		}
	}
	if code, _ := s.do("GET", "/readyz", nil, nil); code != 200 {
		t.Fatalf("no token: %d", code)
	}
	// Concurrently: four connections hammer with the greedy token while
	// a third token sends a request every 250 ms (within its own limit of
	// 2 a second); it is never refused.
	stop := make(chan struct{})
	var hammer sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 4 {
		hammer.Add(1)
		go func() {
			defer hammer.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				req, _ := http.NewRequest("GET", s.base+"/api/v1/documents/"+uuid.NewString(), nil)
				req.Header.Set("Authorization", greedy["Authorization"])
				req.Header.Set("X-Purpose", "rate limit test")
				resp, err := s.client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				statuses[resp.StatusCode]++
				mu.Unlock()
			}
		}()
	}
	thirdName := "third-" + uuid.NewString()
	testPrincipals.add(thirdName, admin)
	third := map[string]string{"Authorization": "Bearer test-" + thirdName}
	for i := range 8 {
		time.Sleep(250 * time.Millisecond)
		begin := time.Now()
		if code, body := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, third); code != 404 || time.Since(begin) > 500*time.Millisecond {
			t.Errorf("beside the hammering, request %d: %d %v in %v", i, code, body, time.Since(begin))
		}
	}
	close(stop)
	hammer.Wait()
	t.Logf("the greedy token's concurrent answers by status: %v", statuses)
	if statuses[429] < 10*statuses[404] {
		t.Errorf("the greedy token was not held to its rate: %v", statuses)
	}
	if m := s.admin("/metrics"); !bytes.Contains(m, []byte(`ledger_http_refused_total{reason="rate_limited_token"}`)) {
		t.Error("no metric of the refusals")
	}
}

// The per-address limit holds whatever token a request carries; liveness
// probes skip it.
func TestRateLimitPerIP(t *testing.T) {
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) {
		c.Hardening.RateIP, c.Hardening.RateIPBurst = 0.5, 5
		c.Hardening.RateToken, c.Hardening.RateTokenBurst = 100, 100
	}, nil)
	served := 0 // the readiness probes of startWith spent some of the burst
	for ; served < 6; served++ {
		code, _ := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, nil)
		if code == 429 {
			break
		}
		if code != 404 {
			t.Fatalf("request %d: %d", served, code)
		}
	}
	if served == 0 || served == 6 {
		t.Fatalf("%d requests served of a burst of 5", served)
	}
	code, body, hdr := s.doFull("GET", "/api/v1/documents/"+uuid.NewString(), nil, map[string]string{"Authorization": "Bearer fresh"})
	if code != 429 || errCode(body) != "rate_limited" || hdr.Get("Retry-After") != "2" {
		t.Fatalf("over the address's burst with a fresh token: %d %v Retry-After %q", code, body, hdr.Get("Retry-After"))
	}
	if code, _ := s.do("GET", "/healthz", nil, nil); code != 200 {
		t.Fatalf("liveness: %d", code)
	}
}

// The login endpoints have a tighter limit per address than the rest.
func TestLoginRateLimit(t *testing.T) {
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) {
		c.Hardening.RateIP, c.Hardening.RateIPBurst = 1000, 1000
		c.Hardening.RateLogin, c.Hardening.RateLoginBurst = 0.1, 3
	}, nil)
	for i := range 3 { // without trust anchors: 503, but counted
		if code, body := s.do("POST", "/api/v1/auth/eds/nonce", nil, nil); code != 503 {
			t.Fatalf("nonce %d: %d %v", i, code, body)
		}
	}
	code, body, hdr := s.doFull("POST", "/api/v1/auth/eds/nonce", nil, nil)
	if code != 429 || errCode(body) != "rate_limited" || hdr.Get("Retry-After") == "" {
		t.Fatalf("over the login burst: %d %v %v", code, body, hdr)
	}
	if code, _ := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, nil); code != 404 {
		t.Fatalf("the rest of the API: %d", code)
	}
}

// With a certificate and key ledgerd serves TLS (and HSTS); a plain HTTP
// request to it is refused.
func TestTLS(t *testing.T) {
	cert, key := selfSigned(t)
	s := startWith(t, domain.NewManualClock(epoch), func(c *app.Config) {
		c.Hardening.TLSCert, c.Hardening.TLSKey = cert, key
	}, nil)
	if !strings.HasPrefix(s.base, "https://") {
		t.Fatal(s.base)
	}
	resp, err := s.client.Get(s.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("healthz over TLS: %d %+v", resp.StatusCode, resp.TLS)
	}
	if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Fatalf("HSTS %q", hsts)
	}
	if code, _ := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, nil); code != 404 {
		t.Fatalf("API over TLS: %d", code)
	}
	plain, err := http.Get("http://" + s.app.Addr() + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Fatal("plain HTTP answered 200 on the TLS port")
		}
	}
	if _, err := http.Get(s.base + "/healthz"); err == nil {
		t.Fatal("an untrusted certificate was accepted by a default client")
	}
}

func TestTLSConfig(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://unused")
	t.Setenv("LEDGER_TLS_CERT", "/some/cert.pem")
	if _, err := app.ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), "LEDGER_TLS_KEY") {
		t.Fatalf("a certificate without a key: %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key; PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ledgerd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// tlsClient trusts the certificate in certFile.
func tlsClient(t *testing.T, certFile string) *http.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in " + certFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// syncBuffer is a log sink several goroutines write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// No credential reaches the logs: a ledgerd logging at debug level serves
// requests carrying bearer tokens, cookies, idempotency keys, tokens in the
// query string and EDS login bodies (a good login, whose session token is
// in its answer, and bad ones), some of them refused by the rate limit;
// then its log is searched for every one of them.
func TestNoSecretsInLogs(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := domain.NewManualClock(epoch)
	pki := sigtest.NewAt(t, clock.Now)
	t.Setenv("LEDGER_TRUST_DIR", pki.TrustDir(t))
	s := startWith(t, clock, func(c *app.Config) {
		c.AccessLog = true
		c.Hardening.RateToken, c.Hardening.RateTokenBurst = 1, 2
		c.Hardening.RateIP, c.Hardening.RateIPBurst = 1000, 1000
	}, log)
	secret := func(what string) string { return "SECRET" + what + strings.ReplaceAll(uuid.NewString(), "-", "") }
	var secrets []string
	keep := func(v string) string { secrets = append(secrets, v); return v }

	// Commands with bearer tokens, cookies and idempotency keys (new,
	// repeated and reused with another body).
	for i := range 3 {
		key := keep(secret("idem"))
		hdr := map[string]string{
			"Authorization":   "Bearer " + keep(secret("bearer")),
			"Cookie":          "ledger_session=" + keep(secret("cookie")),
			"Idempotency-Key": key,
			"X-Api-Key":       keep(secret("apikey")),
		}
		doc := map[string]any{"sender_party": "BIN990140000123", "recipient_party": "IIN900101300123", "kind": "invoice",
			"title": "t", "content_sha256": hash}
		s.do("POST", "/api/v1/documents", doc, hdr)
		s.do("POST", "/api/v1/documents", doc, hdr)
		doc["title"] = "another"
		s.do("POST", "/api/v1/documents", doc, hdr)
		s.do("POST", "/api/v1/commands/NoSuchCommand", map[string]any{"x": i}, hdr)
		s.do("GET", "/api/v1/documents/"+uuid.NewString()+"?access_token="+keep(secret("query")), nil, hdr)
	}
	// The rate limit refuses a token (and logs the refusal at debug).
	limited := map[string]string{"Authorization": "Bearer " + keep(secret("limited"))}
	refused := 0
	for range 5 {
		if code, _ := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, limited); code == 429 {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("the rate limit refused nothing")
	}
	// Login with EDS: a good one (its session token is a secret), a replay,
	// a garbled one, one with an unknown nonce.
	auth := pki.Issue(t, sigtest.Spec{IIN: "850715400016", Auth: true, Key: sigtest.ECDSAP256})
	anonymous := map[string]string{"Authorization": "", "X-Purpose": ""} // login is for those without a session
	_, n := s.do("POST", "/api/v1/auth/eds/nonce", nil, anonymous)
	nonce, _ := n["nonce"].(string)
	if nonce == "" {
		t.Fatalf("nonce: %v", n)
	}
	keep(nonce)
	cms := base64.StdEncoding.EncodeToString(pki.Sign(t, auth, []byte(nonce), sigtest.SignOptions{}))
	keep(cms[len(cms)-64:])
	code, login := s.do("POST", "/api/v1/auth/eds/login", map[string]string{"nonce": nonce, "cms": cms}, anonymous)
	tok, _ := login["session_token"].(string)
	if code != 200 || tok == "" {
		t.Fatalf("login: %d %v", code, login)
	}
	keep(tok)
	s.do("POST", "/api/v1/auth/eds/login", map[string]string{"nonce": nonce, "cms": cms}, anonymous)
	s.do("POST", "/api/v1/auth/eds/login", map[string]string{"nonce": keep(secret("nonce")), "cms": keep(secret("cms"))}, anonymous)
	s.do("POST", "/api/v1/auth/eds/login", `{"nonce": "`+keep(secret("garbled"))+`", "cms": `, anonymous)
	s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, map[string]string{"Authorization": "Bearer " + tok})

	out := logs.String()
	if !strings.Contains(out, `"msg":"http request"`) || !strings.Contains(out, `"level":"DEBUG"`) {
		t.Fatalf("the run logged no access lines or nothing at debug:\n%.2000s", out)
	}
	hits := 0
	for _, sec := range secrets {
		if strings.Contains(out, sec) {
			hits++
			t.Errorf("the log holds a secret %q", sec)
		}
	}
	if hits > 0 {
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			for _, sec := range secrets {
				if strings.Contains(sc.Text(), sec) {
					t.Logf("line: %.400s", sc.Text())
					break
				}
			}
		}
	}
	t.Logf("%d secrets searched in %d log lines: %d hits", len(secrets), strings.Count(out, "\n"), hits)
}
