// Package app is docledger's composition root: it reads the configuration
// from the environment and wires the event store, the command bus, the
// projections and the HTTP API together for ledgerd and ledgerctl.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"docledger/adapters/bus"
	"docledger/adapters/identity"
	"docledger/adapters/pg"
)

// Config is the configuration, from the environment (see README).
type Config struct {
	DatabaseURL string // DATABASE_URL (required)
	DBRole      string // LEDGER_DB_ROLE, default ledger_app; "-" keeps the login role
	HTTPAddr    string // LEDGER_HTTP_ADDR, default 127.0.0.1:8080 (loopback only)
	Transport   string // LEDGER_TRANSPORT: gochannel (default), sql, nats
	NATSURL     string // NATS_URL, for the nats transport
	Partitions  int    // LEDGER_COMMAND_PARTITIONS
	MaxBody     int64  // LEDGER_MAX_BODY_BYTES, default 1 MiB
	PoolSize    int32  // LEDGER_DB_POOL_SIZE, default 40
	CacheSize   int    // LEDGER_STREAM_CACHE, default 100000 streams
	Poll        time.Duration
	LogLevel    slog.Level // LEDGER_LOG_LEVEL: debug, info, warn, error
	Projections bool       // LEDGER_PROJECTIONS, default true: run the projection runners
	AccessLog   bool       // LEDGER_ACCESS_LOG, default on: one info line per HTTP request
	// TrustDir holds the NCA RK trust anchors EDS signatures are verified
	// against (LEDGER_TRUST_DIR); empty: commands carrying a signature are
	// refused with signature_verification_unavailable.
	TrustDir string
	// StaffFile maps the operator's staff IINs to their roles
	// (LEDGER_STAFF_FILE, JSON); empty: no staff.
	StaffFile string
	// SessionTTL and SessionIdle are a session's absolute lifetime
	// (LEDGER_SESSION_TTL, default 8h) and idle timeout
	// (LEDGER_SESSION_IDLE, default 30m).
	SessionTTL  time.Duration
	SessionIdle time.Duration
	// OIDC configures staff login with an OpenID Connect provider
	// (LEDGER_OIDC_ISSUER, LEDGER_OIDC_CLIENT_ID, LEDGER_OIDC_CLIENT_SECRET,
	// LEDGER_OIDC_REDIRECT_URL, LEDGER_OIDC_IIN_CLAIM); no issuer: off.
	OIDC identity.OIDCConfig
	// EventStore is where the events are kept (LEDGER_EVENT_STORE):
	// postgres (default) or eventstoredb, the node at EventStoreURL
	// (EVENTSTORE_URL). Read models stay in PostgreSQL either way.
	EventStore    string
	EventStoreURL string
	// Hardening: the HTTP server's timeouts, limits, TLS and admin listener.
	Hardening Hardening
}

// ConfigFromEnv reads the configuration.
func ConfigFromEnv() (Config, error) {
	c := Config{
		DatabaseURL: strings.TrimSpace(os.Getenv("DATABASE_URL")),
		DBRole:      envOr("LEDGER_DB_ROLE", pg.DefaultRole),
		HTTPAddr:    envOr("LEDGER_HTTP_ADDR", DefaultHTTPAddr),
		Transport:   envOr("LEDGER_TRANSPORT", bus.TransportGoChannel),
		NATSURL:     os.Getenv("NATS_URL"),
		TrustDir:    strings.TrimSpace(os.Getenv("LEDGER_TRUST_DIR")),
		StaffFile:   strings.TrimSpace(os.Getenv("LEDGER_STAFF_FILE")),
		OIDC: identity.OIDCConfig{Issuer: strings.TrimSpace(os.Getenv("LEDGER_OIDC_ISSUER")), ClientID: strings.TrimSpace(os.Getenv("LEDGER_OIDC_CLIENT_ID")),
			ClientSecret: os.Getenv("LEDGER_OIDC_CLIENT_SECRET"), RedirectURL: strings.TrimSpace(os.Getenv("LEDGER_OIDC_REDIRECT_URL")),
			IINClaim: strings.TrimSpace(os.Getenv("LEDGER_OIDC_IIN_CLAIM"))},
		SessionTTL:  8 * time.Hour,
		SessionIdle: 30 * time.Minute,
		MaxBody:     1 << 20,
		PoolSize:    40,
		CacheSize:   100000,
		Poll:        250 * time.Millisecond,
		Projections: true,
		AccessLog:   true,
		Hardening:   DefaultHardening(),
	}
	if c.DatabaseURL == "" {
		return c, fmt.Errorf("DATABASE_URL is not set (make db prints one for the private cluster)")
	}
	if err := eventStoreFromEnv(&c); err != nil {
		return c, err
	}
	if err := hardeningFromEnv(&c.Hardening); err != nil {
		return c, err
	}
	if c.DBRole == "-" {
		c.DBRole = ""
	}
	var err error
	if c.Partitions, err = envInt("LEDGER_COMMAND_PARTITIONS", 0); err != nil {
		return c, err
	}
	if c.MaxBody, err = envInt64("LEDGER_MAX_BODY_BYTES", c.MaxBody); err != nil {
		return c, err
	}
	size, err := envInt("LEDGER_DB_POOL_SIZE", int(c.PoolSize))
	if err != nil {
		return c, err
	}
	c.PoolSize = int32(size)
	if c.CacheSize, err = envInt("LEDGER_STREAM_CACHE", c.CacheSize); err != nil {
		return c, err
	}
	if v := os.Getenv("LEDGER_POLL_INTERVAL"); v != "" {
		if c.Poll, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("LEDGER_POLL_INTERVAL: %w", err)
		}
	}
	for _, d := range []struct {
		env string
		dst *time.Duration
	}{{"LEDGER_SESSION_TTL", &c.SessionTTL}, {"LEDGER_SESSION_IDLE", &c.SessionIdle}} {
		if v := strings.TrimSpace(os.Getenv(d.env)); v != "" {
			if *d.dst, err = time.ParseDuration(v); err != nil || *d.dst <= 0 {
				return c, fmt.Errorf("%s: want a positive duration such as 8h or 30m, got %q", d.env, v)
			}
		}
	}
	if v := os.Getenv("LEDGER_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("LEDGER_LOG_LEVEL: %w", err)
		}
	}
	if v := os.Getenv("LEDGER_PROJECTIONS"); v != "" {
		if c.Projections, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("LEDGER_PROJECTIONS: %w", err)
		}
	}
	if v := strings.TrimSpace(os.Getenv("LEDGER_ACCESS_LOG")); v != "" {
		if c.AccessLog, err = parseSwitch(v); err != nil {
			return c, fmt.Errorf("LEDGER_ACCESS_LOG: %w", err)
		}
	}
	return c, nil
}

// DefaultHTTPAddr is where ledgerd listens unless LEDGER_HTTP_ADDR says
// otherwise: the loopback interface only.
const DefaultHTTPAddr = "127.0.0.1:8080"

// parseSwitch reads on/off (or a strconv.ParseBool value).
func parseSwitch(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "yes":
		return true, nil
	case "off", "no":
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("want on or off, got %q", v)
	}
	return b, nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}

func envInt(k string, def int) (int, error) {
	v := os.Getenv(k)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: want a non-negative integer, got %q", k, v)
	}
	return n, nil
}

func envInt64(k string, def int64) (int64, error) {
	n, err := envInt(k, int(def))
	return int64(n), err
}

// DatabaseURL is DATABASE_URL, or an error saying how to get one: for the
// command-line tools, which need only the database.
func DatabaseURL() (string, error) {
	u := strings.TrimSpace(os.Getenv("DATABASE_URL"))
	if u == "" {
		return "", errors.New("DATABASE_URL is not set (make db prints one for the private cluster)")
	}
	return u, nil
}
