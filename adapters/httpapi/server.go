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

	"docledger/adapters/policy"
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
	Outbox(ctx context.Context, party, cursor string, limit int) (query.DocumentPage, error)
	Document(ctx context.Context, id uuid.UUID) (query.Document, error)
	OfferVersions(ctx context.Context, offerID string) ([]query.OfferVersion, error)
	Party(ctx context.Context, id uuid.UUID) (query.Party, error)
	AcceptanceProof(ctx context.Context, id uuid.UUID) (query.AcceptanceProof, error)
	OfferAt(ctx context.Context, id uuid.UUID, t time.Time) (query.InForce, error)
	TermsEnding(ctx context.Context, from, before time.Time, limit int) ([]query.Term, error)
}

// Authenticator turns a request's credentials (a session cookie, an
// Authorization: Bearer session or API token) into the principal acting.
// No credentials is policy.Principal{Kind: policy.Anonymous} and no error;
// credentials that are malformed, unknown, expired or revoked are
// policy.ErrUnauthenticated (or a more specific *domain.Error of kind
// Unauthenticated). Package adapters/identity implements it.
type Authenticator interface {
	Authenticate(r *http.Request) (policy.Principal, error)
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
	// Logger receives the access log and the failures.
	Logger *slog.Logger
	// AccessLog logs one info line per request: method, path (without the
	// query string, which may carry tokens), status, duration and
	// correlation id.
	AccessLog bool
	// OpenAPI is the API's description, served at GET /api/v1/openapi.yaml
	// (package docs embeds it); nil: not served (404).
	OpenAPI []byte
	// Authenticator turns credentials into the principal acting
	// (required: the API never runs open).
	Authenticator Authenticator
	// Policy decides who may do what (required; package adapters/policy).
	Policy Decider
	// Grants records arbiters' grants (nil: POST /api/v1/arbiter-grants
	// answers 503).
	Grants Grants
	// Mount adds further routes (e.g. the EDS login handler), each with
	// its rule.
	Mount func(route MountFunc)
}

// Server is the HTTP handler of the API.
type Server struct {
	cfg      Config
	mux      *http.ServeMux
	log      *slog.Logger
	table    []Route
	routeErr error
}

// New returns the API handler; it refuses missing dependencies.
func New(cfg Config) (*Server, error) {
	if cfg.Bus == nil || cfg.Reads == nil {
		return nil, errors.New("httpapi: bus and reads are required")
	}
	if cfg.Authenticator == nil || cfg.Policy == nil {
		return nil, errors.New("httpapi: an authenticator and a policy are required")
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
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	s.routes()
	if s.routeErr != nil {
		return nil, s.routeErr
	}
	return s, nil
}

func (s *Server) routes() {
	s.route("POST /api/v1/documents", Rule{Action: policy.DocumentRegister, InBody: true}, s.registerDocument)
	s.route("POST /api/v1/documents/{id}/send", Rule{Action: policy.DocumentSend, From: onDocument}, s.sendDocument)
	s.route("POST /api/v1/documents/{id}/deliver", Rule{Action: policy.DocumentDeliver, From: onDocument}, s.deliverDocument)
	s.route("POST /api/v1/commands/{type}", Rule{Action: policy.Command, InBody: true}, s.genericCommand)
	s.route("GET /api/v1/documents/{id}", Rule{Action: policy.DocumentRead, From: onDocument}, s.getDocument)
	s.route("GET /api/v1/parties/{id}/inbox", Rule{Action: policy.DocumentList, From: onPartyRef}, s.partyInbox)
	s.route("GET /api/v1/parties/{id}/outbox", Rule{Action: policy.DocumentList, From: onPartyRef}, s.partyOutbox)
	s.route("GET /api/v1/openapi.yaml", Public, s.openAPI)
	s.route("POST /api/v1/arbiter-grants", Rule{Action: policy.ArbiterGrant, InBody: true}, s.grantArbiter)
	s.partyRoutes()
	s.route("GET /healthz", Public, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.route("GET /readyz", Public, s.readyz)
	// /metrics and pprof are served on the admin listener only (cmd/internal/app).
	if s.cfg.Mount != nil {
		s.cfg.Mount(s.handle)
	}
	// No catch-all pattern: "/" would match every method and swallow the
	// mux's 405 answers; ServeHTTP answers the misses instead.
}

// ServeHTTP serves the API, with a correlation id on every request and,
// when configured, one access-log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cid := r.Header.Get("X-Correlation-ID")
	if cid == "" || len(cid) > 128 {
		cid = newID()
	}
	w.Header().Set("X-Correlation-ID", cid)
	r = r.WithContext(withCorrelation(r.Context(), cid))
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	if h, pattern := s.mux.Handler(r); pattern == "" {
		noRoute(rw, r, h)
	} else {
		// Credentials the authenticator refuses are answered by the
		// route's guard: a public route (logging in again) still serves.
		p, err := s.cfg.Authenticator.Authenticate(r)
		ctx := policy.With(r.Context(), p)
		if err != nil {
			ctx = context.WithValue(policy.With(r.Context(), policy.Principal{Kind: policy.Anonymous}), authErrKey{}, err)
		}
		s.mux.ServeHTTP(rw, r.WithContext(ctx))
	}
	if s.cfg.AccessLog {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rw.status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("correlation_id", cid))
	}
}

// noRoute answers a request no pattern matches, in the error envelope:
// 405 method_not_allowed with the Allow header when the path is served for
// other methods (which the mux's own handler h, run on a recorder, tells),
// else 404 not_found.
func noRoute(w http.ResponseWriter, r *http.Request, h http.Handler) {
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeError(w, r, http.StatusMethodNotAllowed, "method_not_allowed",
			r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+rec.header.Get("Allow"))
		return
	}
	writeError(w, r, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// headerRecorder keeps a handler's status and headers and drops its body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}

func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	if s.cfg.OpenAPI == nil {
		writeError(w, r, http.StatusNotFound, "not_found", "this server has no API description")
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(s.cfg.OpenAPI)
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
