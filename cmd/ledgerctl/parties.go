package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"docledger/adapters/pg"
	"docledger/cmd/internal/app"
	"docledger/domain/calendar"
	"docledger/projections"
	"docledger/projections/acceptances"
	"docledger/projections/parties"
	"docledger/projections/terms"
)

const partiesUsage = `usage:
  ledgerctl parties show PARTY_ID
  ledgerctl parties acceptance-proof PARTY_ID
  ledgerctl parties offer-at PARTY_ID --at TIME
  ledgerctl parties terms-ending --before TIME [--from TIME] [--limit N]

TIME is RFC 3339, or YYYY-MM-DDTHH:MM in Asia/Almaty, or a date (its start).
The answers come from the read models (parties, acceptances, terms) as JSON.`

// runParties is "ledgerctl parties": the party read models for operators,
// auditors and dispute staff.
func runParties(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, partiesUsage)
		return 2
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("parties "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	at := fs.String("at", "", "the time to answer for")
	from := fs.String("from", "", "list terms ending from this time (default now)")
	before := fs.String("before", "", "list terms ending before this time")
	limit := fs.Int("limit", 100, "at most this many terms")
	var id uuid.UUID
	switch sub {
	case "show", "acceptance-proof", "offer-at":
		if len(rest) == 0 {
			fmt.Fprintln(stderr, partiesUsage)
			return 2
		}
		var err error
		if id, err = uuid.Parse(rest[0]); err != nil {
			return fail(stderr, fmt.Errorf("party id %q is not a UUID", rest[0]))
		}
		rest = rest[1:]
	case "terms-ending":
	default:
		fmt.Fprintf(stderr, "ledgerctl parties: unknown sub-command %q\n%s\n", sub, partiesUsage)
		return 2
	}
	if err := fs.Parse(rest); err != nil || fs.NArg() != 0 {
		return 2
	}
	parse := func(name, v string, def time.Time) (time.Time, error) {
		if v == "" {
			if def.IsZero() {
				return time.Time{}, fmt.Errorf("--%s is required", name)
			}
			return def, nil
		}
		t, err := calendar.ParseTime(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("--%s: %w", name, err)
		}
		return t, nil
	}
	var t0, t1 time.Time
	var err error
	switch sub {
	case "offer-at":
		if t0, err = parse("at", *at, time.Time{}); err != nil {
			fmt.Fprintf(stderr, "ledgerctl parties offer-at: %v\n", err)
			return 2
		}
	case "terms-ending":
		if t0, err = parse("from", *from, time.Now().UTC()); err == nil {
			t1, err = parse("before", *before, time.Time{})
		}
		if err != nil {
			fmt.Fprintf(stderr, "ledgerctl parties terms-ending: %v\n", err)
			return 2
		}
	}
	dsn, err := app.DatabaseURL()
	if err != nil {
		return fail(stderr, err)
	}
	pool, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: 2, ApplicationName: "ledgerctl"})
	if err != nil {
		return fail(stderr, err)
	}
	defer pool.Close()
	out, err := projections.InSnapshot(ctx, pool, func(tx pgx.Tx) (any, error) {
		switch sub {
		case "show":
			return parties.Get(ctx, tx, id)
		case "acceptance-proof":
			return acceptances.GetProof(ctx, tx, id)
		case "offer-at":
			return acceptances.At(ctx, tx, id, t0)
		}
		return terms.Ending(ctx, tx, t0, t1, *limit)
	})
	if errors.Is(err, parties.ErrNotFound) || errors.Is(err, acceptances.ErrNotFound) {
		return fail(stderr, fmt.Errorf("party %s: not found in the read model", id))
	}
	if err != nil {
		return fail(stderr, err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fail(stderr, err)
	}
	return 0
}
