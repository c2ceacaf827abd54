// Package httpguard is the hardening ledgerd wraps around its HTTP
// handlers: security headers on every response, a cap on the requests in
// flight and per-token and per-IP rate limits. Its refusals use the error
// envelope of package apierror:
//
//	429 rate_limited (with Retry-After) when a client's budget is spent;
//	503 overloaded (with Retry-After) when the server is full.
//
// It never keeps or logs a credential: the token key is a hash of the
// Authorization: Bearer value (or, when the Principal hook is set, the
// authenticated principal).
package httpguard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"docledger/adapters/apierror"
	"docledger/domain"
)

// Refusal codes, in the error envelope.
var (
	// ErrRateLimited: the client's (token's or address's) budget is spent.
	ErrRateLimited = domain.NewErrorOf(domain.TooManyRequests, "rate_limited", "too many requests")
	// ErrOverloaded: the server has as many requests in flight as it takes.
	ErrOverloaded = domain.NewErrorOf(domain.Unavailable, "overloaded", "the server is busy; retry shortly")
)

// DefaultCSP is the Content-Security-Policy of every response: the
// server's own resources only, never framed (frame-ancestors 'none'), no
// plugins, forms posting back to the server only.
const DefaultCSP = "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'"

// Config configures a Guard; a zero field switches its part off unless said
// otherwise.
type Config struct {
	// MaxConcurrent caps the requests being served at once (0: no cap).
	// A request over the cap waits up to QueueWait for a slot, then is
	// answered 503 overloaded.
	MaxConcurrent int
	QueueWait     time.Duration
	// TokenRate and TokenBurst limit each token (requests per second and
	// the burst above it); 0 rate: no per-token limit.
	TokenRate  float64
	TokenBurst int
	// IPRate and IPBurst limit each client address (an IPv6 client by its
	// /64); 0 rate: no per-address limit. Requests carrying a token count
	// against both, so the address limit should be the larger.
	IPRate  float64
	IPBurst int
	// LoginRate and LoginBurst limit each client address on the login
	// endpoints (those Login says), on top of the address limit: logins
	// are anonymous, cost a signature check and write a nonce. 0 rate: no
	// login limit.
	LoginRate  float64
	LoginBurst int
	Login      func(r *http.Request) bool
	// TrustedProxies are the addresses whose X-Forwarded-For is believed:
	// when the peer is one of them, the client is the right-most address
	// of the header that is not a trusted proxy. Empty: the header is
	// ignored and the peer is the client.
	TrustedProxies []netip.Prefix
	// MaxKeys bounds each limiter table (default 100000 keys); IdleAfter is
	// how long an unused limiter is kept (default 10 minutes).
	MaxKeys   int
	IdleAfter time.Duration
	// CSP is the Content-Security-Policy (default DefaultCSP).
	CSP string
	// Exempt requests skip the rate limits and the cap (liveness probes).
	Exempt func(r *http.Request) bool
	// Principal names the authenticated principal of a request, when
	// authentication knows it, to key the token limit by; nil or "": the
	// hash of the bearer token keys it.
	Principal func(r *http.Request) string
	// Logger receives a debug line per refusal (never a credential).
	Logger *slog.Logger
	// Registerer receives ledger_http_refused_total; nil: none.
	Registerer prometheus.Registerer
	// Now is the limiters' clock (default time.Now).
	Now func() time.Time
}

// Guard is the hardening middleware; New builds it around a handler.
type Guard struct {
	cfg     Config
	next    http.Handler
	slots   chan struct{}
	tokens  *Limiters
	ips     *Limiters
	logins  *Limiters
	refused *prometheus.CounterVec
}

// New wraps next in the guard cfg describes.
func New(cfg Config, next http.Handler) *Guard {
	if cfg.CSP == "" {
		cfg.CSP = DefaultCSP
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	g := &Guard{cfg: cfg, next: next}
	if cfg.MaxConcurrent > 0 {
		g.slots = make(chan struct{}, cfg.MaxConcurrent)
	}
	if cfg.TokenRate > 0 {
		g.tokens = NewLimiters(rate.Limit(cfg.TokenRate), cfg.TokenBurst, cfg.MaxKeys, cfg.IdleAfter)
	}
	if cfg.IPRate > 0 {
		g.ips = NewLimiters(rate.Limit(cfg.IPRate), cfg.IPBurst, cfg.MaxKeys, cfg.IdleAfter)
	}
	if cfg.LoginRate > 0 && cfg.Login != nil {
		g.logins = NewLimiters(rate.Limit(cfg.LoginRate), cfg.LoginBurst, cfg.MaxKeys, cfg.IdleAfter)
	}
	g.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ledger_http_refused_total",
		Help: "Requests the HTTP guard refused, by reason (rate_limited_ip, rate_limited_login, rate_limited_token, overloaded)."}, []string{"reason"})
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(g.refused)
	}
	return g
}

// ServeHTTP sets the security headers, then applies the rate limits and
// the cap before handing the request on.
func (g *Guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", g.cfg.CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	if g.cfg.Exempt != nil && g.cfg.Exempt(r) {
		g.next.ServeHTTP(w, r)
		return
	}
	if wait, which := g.limit(r); wait > 0 {
		g.refuse(w, r, "rate_limited_"+which, ErrRateLimited, wait)
		return
	}
	if g.slots != nil {
		if !g.acquire(r.Context()) {
			g.refuse(w, r, "overloaded", ErrOverloaded, time.Second)
			return
		}
		defer func() { <-g.slots }()
	}
	g.next.ServeHTTP(w, r)
}

// limit charges r to its address (and, on a login endpoint, its address's
// login budget) and to its token. A positive wait says a budget is spent
// (and which: "ip", "login" or "token"); then nothing is charged to any, so
// a token's refused flood does not spend its address's budget.
func (g *Guard) limit(r *http.Request) (time.Duration, string) {
	now := g.cfg.Now()
	type charge struct {
		lim   *rate.Limiter
		which string
	}
	var charges [3]charge
	n := 0
	if g.ips != nil || g.logins != nil {
		if ip, ok := ClientIP(r, g.cfg.TrustedProxies); ok {
			for _, t := range []struct {
				table *Limiters
				which string
			}{{g.ips, "ip"}, {g.logins, "login"}} {
				if t.table == nil || (t.which == "login" && !g.cfg.Login(r)) {
					continue
				}
				lim, wait := t.table.Get(ipKey(ip), now)
				if wait > 0 {
					return wait, t.which
				}
				charges[n] = charge{lim, t.which}
				n++
			}
		}
	}
	if g.tokens != nil {
		if key := g.tokenKey(r); key != "" {
			lim, wait := g.tokens.Get(key, now)
			if wait > 0 {
				return wait, "token"
			}
			charges[n] = charge{lim, "token"}
			n++
		}
	}
	for _, c := range charges[:n] {
		if !c.lim.AllowN(now, 1) { // emptied by a concurrent request since Get
			return time.Duration(float64(time.Second) / float64(c.lim.Limit())), c.which
		}
	}
	return 0, ""
}

func (g *Guard) tokenKey(r *http.Request) string {
	if g.cfg.Principal != nil {
		if p := g.cfg.Principal(r); p != "" {
			return "principal:" + p
		}
	}
	if tok := BearerToken(r); tok != "" {
		return "bearer:" + TokenHash(tok)
	}
	return ""
}

func (g *Guard) acquire(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	if g.cfg.QueueWait <= 0 {
		return false
	}
	t := time.NewTimer(g.cfg.QueueWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (g *Guard) refuse(w http.ResponseWriter, r *http.Request, reason string, e *domain.Error, wait time.Duration) {
	g.refused.WithLabelValues(reason).Inc()
	secs := int(math.Ceil(wait.Seconds()))
	if secs < 1 {
		secs = 1
	}
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	if g.cfg.Logger.Enabled(r.Context(), slog.LevelDebug) {
		ip, _ := ClientIP(r, g.cfg.TrustedProxies)
		g.cfg.Logger.LogAttrs(r.Context(), slog.LevelDebug, "http request refused", slog.String("reason", reason),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("client_ip", ip.String()),
			slog.Int("retry_after_s", secs))
	}
	apierror.Write(w, apierror.Status(e.KindOf()), e.Code, e.Message)
}

// BearerToken is the token of r's Authorization: Bearer header, or "".
func BearerToken(r *http.Request) string {
	v := r.Header.Get("Authorization")
	if len(v) < 7 || !strings.EqualFold(v[:7], "bearer ") {
		return ""
	}
	return strings.TrimSpace(v[7:])
}

// TokenHash names a token without revealing it: the hex of the first 16
// bytes of its SHA-256.
func TokenHash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:16])
}

// ClientIP is the address r comes from: its peer, or, when the peer is a
// trusted proxy, the right-most address of X-Forwarded-For that is not one.
func ClientIP(r *http.Request, trusted []netip.Prefix) (netip.Addr, bool) {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}, false
	}
	ip := ap.Addr().Unmap()
	if !isTrusted(ip, trusted) {
		return ip, true
	}
	hops := r.Header.Values("X-Forwarded-For")
	var list []string
	for _, h := range hops {
		list = append(list, strings.Split(h, ",")...)
	}
	for i := len(list) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(list[i]))
		if err != nil {
			break // a garbled hop: believe no further
		}
		ip = hop.Unmap()
		if !isTrusted(ip, trusted) {
			break
		}
	}
	return ip, true
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ipKey keys an IPv4 client by its address and an IPv6 client by its /64
// (one subscriber's usual allocation).
func ipKey(ip netip.Addr) string {
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// ParsePrefixes reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.168.1.7").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
