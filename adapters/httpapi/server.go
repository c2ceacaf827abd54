// Package httpapi is docledger's HTTP API (/api/v1), described in
// docs/openapi.yaml. Commands go to the command bus and are answered
// synchronously; queries read the projections.
//
// Every error response is {"error": {"code": "...", "message": "..."}} with a
// stable machine-readable code; a refused request writes nothing.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"docledger/commands"
	"docledger/domain"
	"docledger/query"
)

// Sender sends a command and waits for its result (the command bus).
type Sender interface {
	Send(ctx context.Context, meta commands.Meta, cmd commands.Command) (commands.Result, error)
	// NewCommand returns an empty command of a type the bus handles.
	NewCommand(name string) (commands.Command, bool)
}

// Reads is what the API reads: the read models' queries (package
// projections/reads implements it). Expected outcomes (not found, a bad
// cursor) are *domain.Error values whose kind decides the status.
type Reads interface {
	Inbox(ctx context.Context, party, cursor string, limit int) (query.InboxPage, error)
	OfferVersions(ctx context.Context, offerID string) ([]query.OfferVersion, error)
	Party(ctx context.Context, id uuid.UUID) (query.Party, error)
	AcceptanceProof(ctx context.Context, id uuid.UUID) (query.AcceptanceProof, error)
	OfferAt(ctx context.Context, id uuid.UUID, t time.Time) (query.InForce, error)
	TermsEnding(ctx context.Context, from, before time.Time, limit int) ([]query.Term, error)
}

// Config configures the API.
type Config struct {
	Bus Sender
	// Reads serves the queries of the read models.
	Reads Reads
	// Clock gives the time of queries whose default is "now" (default
	// domain.SystemClock).
	Clock domain.Clock
	// MaxBody bounds request bodies (default 1 MiB).
	MaxBody int64
	// Ready reports whether the server can take traffic (for /readyz): its
	// database answers, its projections run.
	Ready func(ctx context.Context) error
	// Gatherer serves /metrics; nil: the default registry.
	Gatherer prometheus.Gatherer
	Logger   *slog.Logger
	// Mount adds further routes (e.g. the EDS login handler).
	Mount func(mux *http.ServeMux)
}

// Server is the HTTP handler of the API.
type Server struct {
	cfg Config
	mux *http.ServeMux
	log *slog.Logger
}

// New returns the API handler; it refuses missing dependencies.
func New(cfg Config) (*Server, error) {
	if cfg.Bus == nil || cfg.Reads == nil {
		return nil, errors.New("httpapi: bus and reads are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = domain.SystemClock
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Gatherer == nil {
		cfg.Gatherer = prometheus.DefaultGatherer
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST /api/v1/documents", s.registerDocument)
	s.mux.HandleFunc("POST /api/v1/documents/{id}/send", s.sendDocument)
	s.mux.HandleFunc("POST /api/v1/documents/{id}/deliver", s.deliverDocument)
	s.mux.HandleFunc("POST /api/v1/commands/{type}", s.genericCommand)
	s.mux.HandleFunc("GET /api/v1/parties/{id}/inbox", s.partyInbox)
	s.partyRoutes()
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))
	if s.cfg.Mount != nil {
		s.cfg.Mount(s.mux)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	})
}

// ServeHTTP serves the API, with a correlation id on every request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cid := r.Header.Get("X-Correlation-ID")
	if cid == "" || len(cid) > 128 {
		cid = newID()
	}
	w.Header().Set("X-Correlation-ID", cid)
	r = r.WithContext(withCorrelation(r.Context(), cid))
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rw, r)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", rw.status,
			"duration_ms", time.Since(start).Milliseconds(), "correlation_id", cid)
	}
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			writeError(w, r, http.StatusServiceUnavailable, "not_ready", err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

type correlationKey struct{}

func withCorrelation(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

func correlationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
