// Command ledgerd is docledger's server: the HTTP API with /healthz and
// /readyz, the command processors, the projection runners, and /metrics and
// pprof on the admin listener (LEDGER_ADMIN_ADDR, loopback by default). It
// applies the migrations at start and shuts down gracefully on SIGINT or
// SIGTERM. Its configuration comes from the environment (see README).
package main

import (
	"context"
	"fmt"
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
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.Run(ctx)
}
