package app_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"docledger/cmd/internal/app"
)

// LEDGER_EVENT_STORE selects the event store; a wrong choice stops ledgerd
// at startup with an error that names the valid ones.
func TestConfigEventStore(t *testing.T) {
	tests := []struct {
		name, store, url string
		want             string // the selected store, or "" for an error
		errHas           []string
	}{
		{name: "default", want: app.StorePostgres},
		{name: "postgres", store: "postgres", want: app.StorePostgres},
		{name: "postgres ignores the url", store: "postgres", url: "esdb://127.0.0.1:2113?tls=false", want: app.StorePostgres},
		{name: "eventstoredb", store: "eventstoredb", url: "esdb://127.0.0.1:2113?tls=false", want: app.StoreEventStoreDB},
		{name: "eventstoredb without url", store: "eventstoredb",
			errHas: []string{"EVENTSTORE_URL", "LEDGER_EVENT_STORE=eventstoredb", "postgres, eventstoredb"}},
		{name: "eventstoredb with a blank url", store: "eventstoredb", url: "  ",
			errHas: []string{"EVENTSTORE_URL", "postgres, eventstoredb"}},
		{name: "unknown", store: "mongodb", url: "esdb://x",
			errHas: []string{"LEDGER_EVENT_STORE", `"mongodb"`, "postgres, eventstoredb"}},
		{name: "case matters", store: "Postgres", errHas: []string{`"Postgres"`, "postgres, eventstoredb"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("DATABASE_URL", "postgres://unused")
			setOrUnset(t, "LEDGER_EVENT_STORE", tt.store)
			setOrUnset(t, "EVENTSTORE_URL", tt.url)
			cfg, err := app.ConfigFromEnv()
			if tt.want != "" {
				if err != nil || cfg.EventStore != tt.want {
					t.Fatalf("store %q, %v; want %q", cfg.EventStore, err, tt.want)
				}
				if tt.want == app.StoreEventStoreDB && cfg.EventStoreURL != tt.url {
					t.Fatalf("EventStoreURL %q, want %q", cfg.EventStoreURL, tt.url)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error for LEDGER_EVENT_STORE=%q EVENTSTORE_URL=%q", tt.store, tt.url)
			}
			for _, s := range tt.errHas {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %s", err, s)
				}
			}
		})
	}
}

// setOrUnset sets k to v for the test, or unsets it for an empty v.
func setOrUnset(t *testing.T, k, v string) {
	t.Setenv(k, v) // restores the old value after the test
	if v == "" {
		os.Unsetenv(k)
	}
}

// ledgerd listens on loopback unless told otherwise, and logs every
// request unless LEDGER_ACCESS_LOG turns it off.
func TestConfigHTTPDefaults(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://unused")
	setOrUnset(t, "LEDGER_HTTP_ADDR", "")
	setOrUnset(t, "LEDGER_ACCESS_LOG", "")
	cfg, err := app.ConfigFromEnv()
	if err != nil || cfg.HTTPAddr != "127.0.0.1:8080" || !cfg.AccessLog {
		t.Fatalf("defaults: addr %q access log %v (%v)", cfg.HTTPAddr, cfg.AccessLog, err)
	}
	for v, want := range map[string]bool{"off": false, "OFF": false, "false": false, "0": false, "on": true, "true": true} {
		t.Setenv("LEDGER_ACCESS_LOG", v)
		if cfg, err := app.ConfigFromEnv(); err != nil || cfg.AccessLog != want {
			t.Errorf("LEDGER_ACCESS_LOG=%s: %v (%v)", v, cfg.AccessLog, err)
		}
	}
	t.Setenv("LEDGER_ACCESS_LOG", "loud")
	if _, err := app.ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), "on or off") {
		t.Fatalf("LEDGER_ACCESS_LOG=loud: %v", err)
	}
}

// The hardening variables: defaults, values, the former pprof address,
// and refusals that name the variable.
func TestConfigHardening(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://unused")
	for _, k := range []string{"LEDGER_ADMIN_ADDR", "LEDGER_PPROF_ADDR", "LEDGER_RATE_TOKEN", "LEDGER_RATE_IP",
		"LEDGER_HTTP_READ_HEADER_TIMEOUT", "LEDGER_TRUSTED_PROXIES", "LEDGER_TLS_CERT", "LEDGER_TLS_KEY"} {
		setOrUnset(t, k, "")
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if h := cfg.Hardening; h.AdminAddr != app.DefaultAdminAddr || h.ReadHeaderTimeout != 5*time.Second || h.RateToken != 20 ||
		h.RateIP != 100 || h.RateLogin != 1 || h.MaxConcurrent != 256 || h.MaxHeaderBytes != 64<<10 || h.TLSCert != "" {
		t.Fatalf("defaults: %+v", h)
	}
	t.Setenv("LEDGER_PPROF_ADDR", "127.0.0.1:6060")
	if cfg, _ := app.ConfigFromEnv(); cfg.Hardening.AdminAddr != "127.0.0.1:6060" {
		t.Fatalf("LEDGER_PPROF_ADDR alone: %q", cfg.Hardening.AdminAddr)
	}
	t.Setenv("LEDGER_ADMIN_ADDR", "off")
	t.Setenv("LEDGER_RATE_TOKEN", "0.5")
	t.Setenv("LEDGER_RATE_IP", "0")
	t.Setenv("LEDGER_HTTP_READ_HEADER_TIMEOUT", "2s")
	t.Setenv("LEDGER_TRUSTED_PROXIES", "10.0.0.0/8, ::1")
	cfg, err = app.ConfigFromEnv()
	if h := cfg.Hardening; err != nil || h.AdminAddr != "" || h.RateToken != 0.5 || h.RateIP != 0 ||
		h.ReadHeaderTimeout != 2*time.Second || len(h.TrustedProxies) != 2 {
		t.Fatalf("set: %+v, %v", h, err)
	}
	for k, v := range map[string]string{"LEDGER_RATE_IP": "-1", "LEDGER_HTTP_READ_HEADER_TIMEOUT": "soon",
		"LEDGER_TRUSTED_PROXIES": "10.0.0.0/99", "LEDGER_TLS_KEY": "/only/the/key.pem", "LEDGER_HTTP_MAX_CONCURRENT": "many"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, err := app.ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), k) {
				t.Fatalf("%s=%s: %v", k, v, err)
			}
		})
	}
}
