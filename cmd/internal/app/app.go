package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"docledger/adapters/bus"
	"docledger/adapters/httpapi"
	"docledger/adapters/identity"
	"docledger/adapters/pg"
	"docledger/adapters/signature"
	"docledger/adapters/signature/edslogin"
	"docledger/commands"
	"docledger/docs"
	"docledger/domain"
	"docledger/domain/access"
	"docledger/domain/calendar"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/domain/offer"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
	"docledger/profiles"
	"docledger/projections"
	"docledger/projections/acceptances"
	"docledger/projections/inbox"
	"docledger/projections/parties"
	"docledger/projections/reads"
	"docledger/projections/terms"
)

// NewRegistry registers every event type of the domain.
func NewRegistry() *event.Registry {
	r := event.NewRegistry()
	document.Register(r)
	party.Register(r)
	offer.Register(r)
	access.Register(r)
	return r
}

// Projections lists the read models; the terms model reads each accepted
// offer's term from the policy profiles.
func Projections(reg *event.Registry, cat *profile.Catalog) []projections.Projection {
	return []projections.Projection{inbox.New(reg), parties.New(reg), acceptances.New(reg, cat), terms.New(reg, cat),
		identity.NewCompromises(reg)}
}

// NewLogger returns the JSON logger on stderr.
func NewLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

// App is a running ledgerd: store, bus, projections and API.
type App struct {
	Config  Config
	Log     *slog.Logger
	Pool    *pgxpool.Pool    // as the application role
	Admin   *pgxpool.Pool    // as the login role (the sql transport's tables)
	Store   eventstore.Store // LEDGER_EVENT_STORE: PostgreSQL or EventStoreDB
	Events  *event.Registry
	Bus     *bus.Bus
	Metrics *prometheus.Registry
	Runners []*projections.Runner
	API     *httpapi.Server
	// Signatures verifies EDS signatures (nil without LEDGER_TRUST_DIR).
	Signatures *signature.Verifier
	// Identity authenticates requests (httpapi.Authenticator): sessions of
	// EDS login, API tokens, staff (LEDGER_STAFF_FILE).
	Identity *identity.Authenticator
	// OIDC is staff login with an OpenID Connect provider (nil without
	// LEDGER_OIDC_ISSUER).
	OIDC       *identity.OIDC
	logins     *edslogin.Store
	closeStore func()
	listener   net.Listener
	admin      net.Listener // the admin listener, nil when off
	clock      domain.Clock
}

// New wires an App; Run starts it.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	return NewWith(ctx, cfg, log, Deps{})
}

// Deps are what a test may replace in an App; a zero field takes its default.
type Deps struct {
	// Clock is business time for commands, queries and the EDS login
	// (default domain.SystemClock). End-to-end tests move a fake clock
	// instead of sleeping, so that no test depends on today's date.
	Clock domain.Clock
	// Authenticator turns a request's credentials into its principal
	// (default: the identity package's sessions and API tokens; without
	// one, NewWith refuses to start: ledgerd never runs open). End-to-end
	// tests pass one that maps bearer test tokens to principals.
	Authenticator httpapi.Authenticator
}

func (d Deps) withDefaults() Deps {
	if d.Clock == nil {
		d.Clock = domain.SystemClock
	}
	return d
}

// NewWith wires an App with deps; Run starts it.
func NewWith(ctx context.Context, cfg Config, log *slog.Logger, deps Deps) (*App, error) {
	deps = deps.withDefaults()
	a := &App{Config: cfg, Log: log, Events: NewRegistry(), Metrics: prometheus.NewRegistry(), clock: deps.Clock}
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var err error
	a.Pool, err = pg.Connect(ctx, pg.Config{URL: cfg.DatabaseURL, Role: cfg.DBRole, MaxConns: cfg.PoolSize, ApplicationName: "ledgerd"})
	if err != nil {
		return nil, err
	}
	if cfg.Transport == bus.TransportSQL {
		a.Admin, err = pg.Connect(ctx, pg.Config{URL: cfg.DatabaseURL, MaxConns: 8, ApplicationName: "ledgerd-transport"})
		if err != nil {
			a.Close()
			return nil, err
		}
	}
	if a.Store, a.closeStore, err = openStore(ctx, cfg, a.Pool); err != nil {
		a.Close()
		return nil, err
	}
	a.Bus, err = bus.NewBus(bus.Config{
		Transport:  bus.TransportConfig{Name: cfg.Transport, Pool: a.Admin, NATSURL: cfg.NATSURL},
		Partitions: cfg.Partitions,
		PoisonPool: a.Pool,
		Logger:     log,
		Registerer: a.Metrics,
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.Signatures, err = loadVerifier(cfg.TrustDir, a.clock.Now); err != nil {
		a.Close()
		return nil, err
	}
	if a.Identity, err = newIdentity(cfg, a.Pool, a.clock, log); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.OIDC.Issuer != "" {
		if a.OIDC, err = identity.NewOIDC(ctx, a.Identity, cfg.OIDC); err != nil {
			a.Close()
			return nil, fmt.Errorf("LEDGER_OIDC_ISSUER: %w", err)
		}
	}
	docDeps := commands.DocumentDeps{Store: instrument(a.Store, a.Metrics), Registry: a.Events, Clock: a.clock,
		Cache: commands.NewStreamCache(cfg.CacheSize), Snapshots: a.Store}
	if err := commands.RegisterDocumentHandlers(a.Bus, docDeps); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.registerPartyHandlers(docDeps); err != nil {
		a.Close()
		return nil, err
	}
	if cfg.Projections {
		pm := projections.NewMetrics(a.Metrics)
		cat, err := profiles.Catalog()
		if err != nil {
			a.Close()
			return nil, err
		}
		for _, p := range Projections(a.Events, cat) {
			r, err := projections.NewRunner(projections.RunnerConfig{Pool: a.Pool, Log: a.Store, Projection: p, Metrics: pm, Logger: log, Poll: cfg.Poll})
			if err != nil {
				a.Close()
				return nil, err
			}
			a.Runners = append(a.Runners, r)
		}
	}
	var mountErr error
	queries, err := reads.New(a.Pool)
	if err != nil {
		a.Close()
		return nil, err
	}
	auth := deps.Authenticator
	if auth == nil {
		if auth, err = a.defaultAuthenticator(); err != nil {
			a.Close()
			return nil, err
		}
	}
	pol, err := a.newPolicy(queries)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.API, err = httpapi.New(httpapi.Config{
		Bus: a.Bus, Reads: queries, Clock: a.clock, MaxBody: cfg.MaxBody, Logger: log,
		AccessLog: cfg.AccessLog, OpenAPI: docs.OpenAPI, Ready: a.ready, Authenticator: auth, Policy: pol,
		Grants: sqlGrants{pool: a.Pool},
		Mount:  func(route httpapi.MountFunc) { mountErr = a.mountLogin(route) },
	})
	err = errors.Join(err, mountErr)
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// registerPartyHandlers wires the party and offer commands with the profile
// catalog, the Kazakhstan calendar and the EDS verifier of LEDGER_TRUST_DIR.
func (a *App) registerPartyHandlers(d commands.DocumentDeps) error {
	cat, err := profiles.Catalog()
	if err != nil {
		return err
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return err
	}
	sigs := newEDSVerifier(a.Signatures)
	if sigs == nil {
		a.Log.Warn("LEDGER_TRUST_DIR is not set: commands carrying an EDS signature will be refused")
	}
	return commands.RegisterPartyHandlers(a.Bus, commands.PartyDeps{Store: d.Store, Registry: d.Registry, Clock: d.Clock,
		Cache: d.Cache, Profiles: cat, Calendar: cal, Signatures: sigs})
}

func (a *App) ready(ctx context.Context) error {
	if err := a.Pool.Ping(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	for _, r := range a.Runners {
		if err := r.Err(); err != nil {
			return fmt.Errorf("projection stopped: %w", err)
		}
	}
	return nil
}

// Listen binds the HTTP address and the admin address (":0" picks a free
// port); Addr and AdminAddr then tell them.
func (a *App) Listen() error {
	l, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.HTTPAddr, err)
	}
	a.listener = l
	if err := a.listenAdmin(); err != nil {
		_ = l.Close()
		a.listener = nil
		return err
	}
	return nil
}

// listening says where ledgerd listens, and whether only this machine can
// reach it.
func listening(addr net.Addr, tls bool) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "listening on " + addr.String()
	}
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	url := scheme + tcp.String()
	if tcp.IP.IsLoopback() {
		return fmt.Sprintf("listening on %s (loopback only; set LEDGER_HTTP_ADDR=0.0.0.0:%d to listen on all interfaces)", url, tcp.Port)
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("listening on %s (all interfaces; set LEDGER_HTTP_ADDR=127.0.0.1:%d for this machine only)", url, tcp.Port)
	}
	return "listening on " + url
}

// Addr is the bound HTTP address.
func (a *App) Addr() string { return a.listener.Addr().String() }

// Run serves until ctx ends, then shuts down gracefully: the HTTP server
// stops taking requests and finishes those in flight, then the command bus
// and the projections stop.
func (a *App) Run(ctx context.Context) error {
	srv, err := a.apiServer()
	if err != nil {
		return err
	}
	if a.listener == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	busCtx, stopBus := context.WithCancel(context.Background())
	defer stopBus()
	busDone := make(chan error, 1)
	go func() { busDone <- a.Bus.Run(busCtx) }()
	select {
	case <-a.Bus.Running():
	case err := <-busDone:
		return fmt.Errorf("command bus: %w", err)
	}
	runCtx, stopRunners := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, r := range a.Runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.Run(runCtx) // a stopped projection is reported by /readyz and its metric
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done() // joined before the pools close
		a.sweepLogins(runCtx, 10*time.Minute)
	}()
	srvDone := make(chan error, 2)
	servers := []*http.Server{srv}
	if srv.TLSConfig != nil {
		go func() { srvDone <- srv.ServeTLS(a.listener, "", "") }()
	} else {
		go func() { srvDone <- srv.Serve(a.listener) }()
	}
	if a.admin != nil {
		admin := a.adminServer()
		servers = append(servers, admin)
		go func() { srvDone <- admin.Serve(a.admin) }()
	}
	a.Log.Info(listening(a.listener.Addr(), srv.TLSConfig != nil), "addr", a.Addr(), "admin_addr", a.AdminAddr(),
		"transport", a.Config.Transport, "access_log", a.Config.AccessLog)

	select {
	case <-ctx.Done():
	case err = <-srvDone:
	}
	a.Log.Info("ledgerd shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, s := range servers {
		if serr := s.Shutdown(shutCtx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	stopRunners()
	wg.Wait()
	stopBus()
	if cerr := a.Bus.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	<-busDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the pools and the store's background work.
func (a *App) Close() {
	if a.closeStore != nil {
		a.closeStore()
	}
	if a.Pool != nil {
		a.Pool.Close()
	}
	if a.Admin != nil {
		a.Admin.Close()
	}
}
