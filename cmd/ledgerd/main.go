// Command ledgerd is docledger's server: the HTTP API, the command
// processors, the projection runners and /metrics, /healthz, /readyz. It
// applies the migrations at start and shuts down gracefully on SIGINT or
// SIGTERM. Its configuration comes from the environment (see README).
package main

import (
	"context"
	"fmt"
	"net/http"
	_ "net/http/pprof" // served only when LEDGER_PPROF_ADDR is set
	"os"
	"os/signal"
	"syscall"

	"docledger/cmd/internal/app"
	"docledger/migrations"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "ledgerd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg.LogLevel)
	if _, err := migrations.Apply(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	if addr := os.Getenv("LEDGER_PPROF_ADDR"); addr != "" {
		// Profiling on its own (loopback) address, never on the API's.
		go func() { log.Warn("pprof server stopped", "err", http.ListenAndServe(addr, nil)) }()
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
