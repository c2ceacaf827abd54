package app

import (
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"docledger/adapters/httpguard"
)

// Hardening is the configuration of the HTTP server's defences (see
// docs/security.md, "Server hardening").
type Hardening struct {
	ReadHeaderTimeout time.Duration // LEDGER_HTTP_READ_HEADER_TIMEOUT, default 5s
	ReadTimeout       time.Duration // LEDGER_HTTP_READ_TIMEOUT, default 30s (headers and body)
	WriteTimeout      time.Duration // LEDGER_HTTP_WRITE_TIMEOUT, default 60s (above the bus's 30 s reply wait)
	IdleTimeout       time.Duration // LEDGER_HTTP_IDLE_TIMEOUT, default 120s
	MaxHeaderBytes    int           // LEDGER_HTTP_MAX_HEADER_BYTES, default 64 KiB
	MaxConcurrent     int           // LEDGER_HTTP_MAX_CONCURRENT, default 256 requests in flight (0: no cap)
	QueueWait         time.Duration // LEDGER_HTTP_QUEUE_WAIT, default 100ms: how long a request over the cap waits
	// Per-token and per-address rate limits in requests per second (0: off)
	// and their bursts.
	RateToken      float64 // LEDGER_RATE_TOKEN, default 20
	RateTokenBurst int     // LEDGER_RATE_TOKEN_BURST, default 40
	RateIP         float64 // LEDGER_RATE_IP, default 100
	RateIPBurst    int     // LEDGER_RATE_IP_BURST, default 200
	RateLogin      float64 // LEDGER_RATE_LOGIN, default 1: logins (/api/v1/auth/...) per second per address
	RateLoginBurst int     // LEDGER_RATE_LOGIN_BURST, default 10
	RateMaxKeys    int     // LEDGER_RATE_MAX_KEYS, default 100000 limiters per table
	// TrustedProxies (LEDGER_TRUSTED_PROXIES: addresses and CIDR prefixes)
	// are the reverse proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// TLSCert and TLSKey (LEDGER_TLS_CERT, LEDGER_TLS_KEY: PEM files): both
	// set, the API is served over TLS (1.2 or later) with HSTS.
	TLSCert, TLSKey string
	// AdminAddr (LEDGER_ADMIN_ADDR, default 127.0.0.1:9090; "off": none) is
	// the admin listener: /metrics and /debug/pprof, never on the API's.
	// LEDGER_PPROF_ADDR, its former name, is taken when it is not set.
	AdminAddr string
}

// DefaultAdminAddr is the admin listener's address unless LEDGER_ADMIN_ADDR
// says otherwise: the loopback interface only.
const DefaultAdminAddr = "127.0.0.1:9090"

// DefaultHardening is the hardening of a ledgerd configured with nothing.
func DefaultHardening() Hardening {
	return Hardening{
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10, MaxConcurrent: 256, QueueWait: 100 * time.Millisecond,
		RateToken: 20, RateTokenBurst: 40, RateIP: 100, RateIPBurst: 200, RateLogin: 1, RateLoginBurst: 10,
		RateMaxKeys: 100000,
		AdminAddr:   DefaultAdminAddr,
	}
}

func hardeningFromEnv(h *Hardening) error {
	for _, d := range []struct {
		key string
		v   *time.Duration
	}{
		{"LEDGER_HTTP_READ_HEADER_TIMEOUT", &h.ReadHeaderTimeout}, {"LEDGER_HTTP_READ_TIMEOUT", &h.ReadTimeout},
		{"LEDGER_HTTP_WRITE_TIMEOUT", &h.WriteTimeout}, {"LEDGER_HTTP_IDLE_TIMEOUT", &h.IdleTimeout},
		{"LEDGER_HTTP_QUEUE_WAIT", &h.QueueWait},
	} {
		if v := strings.TrimSpace(os.Getenv(d.key)); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil || x < 0 {
				return fmt.Errorf("%s: want a duration such as 5s, got %q", d.key, v)
			}
			*d.v = x
		}
	}
	var err error
	for _, n := range []struct {
		key string
		v   *int
	}{
		{"LEDGER_HTTP_MAX_HEADER_BYTES", &h.MaxHeaderBytes}, {"LEDGER_HTTP_MAX_CONCURRENT", &h.MaxConcurrent},
		{"LEDGER_RATE_TOKEN_BURST", &h.RateTokenBurst}, {"LEDGER_RATE_IP_BURST", &h.RateIPBurst},
		{"LEDGER_RATE_LOGIN_BURST", &h.RateLoginBurst}, {"LEDGER_RATE_MAX_KEYS", &h.RateMaxKeys},
	} {
		if *n.v, err = envInt(n.key, *n.v); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		key string
		v   *float64
	}{{"LEDGER_RATE_TOKEN", &h.RateToken}, {"LEDGER_RATE_IP", &h.RateIP}, {"LEDGER_RATE_LOGIN", &h.RateLogin}} {
		if v := strings.TrimSpace(os.Getenv(f.key)); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || x < 0 {
				return fmt.Errorf("%s: want requests per second (0: no limit), got %q", f.key, v)
			}
			*f.v = x
		}
	}
	if v := os.Getenv("LEDGER_TRUSTED_PROXIES"); strings.TrimSpace(v) != "" {
		if h.TrustedProxies, err = httpguard.ParsePrefixes(v); err != nil {
			return fmt.Errorf("LEDGER_TRUSTED_PROXIES: want addresses and CIDR prefixes separated by commas: %w", err)
		}
	}
	h.TLSCert = strings.TrimSpace(os.Getenv("LEDGER_TLS_CERT"))
	h.TLSKey = strings.TrimSpace(os.Getenv("LEDGER_TLS_KEY"))
	if (h.TLSCert == "") != (h.TLSKey == "") {
		return fmt.Errorf("LEDGER_TLS_CERT and LEDGER_TLS_KEY go together: set both (TLS) or neither (plain HTTP)")
	}
	admin := strings.TrimSpace(os.Getenv("LEDGER_ADMIN_ADDR"))
	if admin == "" {
		admin = strings.TrimSpace(os.Getenv("LEDGER_PPROF_ADDR")) // the former name
	}
	switch {
	case admin == "":
	case strings.EqualFold(admin, "off"):
		h.AdminAddr = ""
	default:
		h.AdminAddr = admin
	}
	return nil
}
