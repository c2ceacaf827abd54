package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"docledger/adapters/pg"
	"docledger/cmd/internal/app"
	"docledger/profiles"
	"docledger/projections"
)

func runProjections(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "rebuild" && args[0] != "status") {
		fmt.Fprintln(stderr, "usage: ledgerctl projections rebuild NAME [--batch N] | status")
		return 2
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("projections "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	batch := fs.Int("batch", 5000, "events per transaction")
	var name string
	if sub == "rebuild" {
		if len(rest) == 0 || rest[0] == "" || rest[0][0] == '-' {
			fmt.Fprintln(stderr, "usage: ledgerctl projections rebuild NAME [--batch N]")
			return 2
		}
		name, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if sub == "rebuild" {
		// Refuse an unknown name before connecting, with the valid ones.
		cat, err := profiles.Catalog()
		if err != nil {
			return fail(stderr, err)
		}
		if names := projectionNames(app.Projections(app.NewRegistry(), cat)); !slices.Contains(names, name) {
			fmt.Fprintf(stderr, "ledgerctl projections rebuild: unknown projection %q (valid: %s)\n", name, strings.Join(names, ", "))
			return 2
		}
	}
	dsn, err := app.DatabaseURL()
	if err != nil {
		return fail(stderr, err)
	}
	pool, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: 4, ApplicationName: "ledgerctl"})
	if err != nil {
		return fail(stderr, err)
	}
	defer pool.Close()
	store, closeStore, err := app.OpenStoreFromEnv(ctx, pool) // LEDGER_EVENT_STORE, as ledgerd
	if err != nil {
		return fail(stderr, err)
	}
	defer closeStore()
	cat, err := profiles.Catalog()
	if err != nil {
		return fail(stderr, err)
	}
	all := app.Projections(app.NewRegistry(), cat)
	if sub == "status" {
		enc := json.NewEncoder(stdout)
		for _, p := range all {
			st, err := projections.ReadStatus(ctx, pool, store, p)
			if err != nil {
				return fail(stderr, err)
			}
			enc.Encode(st)
		}
		return 0
	}
	for _, p := range all {
		if p.Name() != name {
			continue
		}
		res, err := projections.Rebuild(ctx, pool, store, p, *batch)
		if err != nil {
			return fail(stderr, err)
		}
		rate := float64(res.Events) / res.Duration.Seconds()
		fmt.Fprintf(stdout, "rebuilt %s: %d events to position %d in %s (%.0f events/s)\n", name, res.Events, res.Position, res.Duration.Round(1e6), rate)
		return 0
	}
	return fail(stderr, fmt.Errorf("unknown projection %q (valid: %s)", name, strings.Join(projectionNames(all), ", ")))
}

// projectionNames lists the read models' names, for errors and help.
func projectionNames(all []projections.Projection) []string {
	names := make([]string, 0, len(all))
	for _, p := range all {
		names = append(names, p.Name())
	}
	return names
}
