package app

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"docledger/adapters/apierror"
	"docledger/adapters/httpguard"
)

// apiHandler is the API wrapped in the guard: security headers on every
// answer, the rate limits (tighter per address on the login endpoints,
// POST /api/v1/auth/...) and the cap on requests in flight. Liveness probes
// (GET /healthz) skip the limits.
func (a *App) apiHandler() http.Handler {
	h := a.Config.Hardening
	return httpguard.New(httpguard.Config{
		MaxConcurrent: h.MaxConcurrent, QueueWait: h.QueueWait,
		TokenRate: h.RateToken, TokenBurst: h.RateTokenBurst, IPRate: h.RateIP, IPBurst: h.RateIPBurst,
		LoginRate: h.RateLogin, LoginBurst: h.RateLoginBurst,
		Login: func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v1/auth/")
		},
		MaxKeys: h.RateMaxKeys, TrustedProxies: h.TrustedProxies,
		Exempt: func(r *http.Request) bool {
			return r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead)
		},
		Logger: a.Log, Registerer: a.Metrics,
	}, a.API)
}

// apiServer is the API's http.Server, with the configured timeouts and
// header cap, and TLS when a certificate is configured.
func (a *App) apiServer() (*http.Server, error) {
	h := a.Config.Hardening
	srv := &http.Server{
		Handler:           a.apiHandler(),
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		ReadTimeout:       h.ReadTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		MaxHeaderBytes:    h.MaxHeaderBytes,
		ErrorLog:          serverErrorLog(a),
	}
	if h.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(h.TLSCert, h.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("LEDGER_TLS_CERT/LEDGER_TLS_KEY: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return srv, nil
}

// adminServer serves /metrics and Go's pprof under /debug/pprof/, on the
// admin listener only (loopback by default); everything else is 404.
func (a *App) adminServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apierror.Write(w, http.StatusNotFound, "not_found", "no such admin endpoint: "+r.URL.Path)
	})
	// No write timeout: a CPU profile or a trace streams for as long as asked.
	return &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 16 << 10, ErrorLog: serverErrorLog(a)}
}

// AdminAddr is the bound admin address ("" without an admin listener).
func (a *App) AdminAddr() string {
	if a.admin == nil {
		return ""
	}
	return a.admin.Addr().String()
}

func (a *App) listenAdmin() error {
	addr := a.Config.Hardening.AdminAddr
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on the admin address %s (LEDGER_ADMIN_ADDR; off: none): %w", addr, err)
	}
	a.admin = l
	if tcp, ok := l.Addr().(*net.TCPAddr); ok && !tcp.IP.IsLoopback() {
		a.Log.Warn("the admin listener (/metrics, /debug/pprof) is reachable beyond this machine; keep it behind a firewall",
			"admin_addr", l.Addr().String())
	}
	return nil
}
