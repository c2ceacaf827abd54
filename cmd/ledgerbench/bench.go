package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"docledger/adapters/pg"
	"docledger/cmd/internal/app"
	"docledger/migrations"
)

// runBench measures speed; each sub-command prints one JSON object as its
// last line. Benchmarks run in a scratch database created beside DATABASE_URL
// and dropped afterwards (--keep keeps it).
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: ledgerbench append|commands|rebuild|lag|signatures [flags]")
		return 2
	}
	switch args[0] {
	case "append":
		return benchAppend(ctx, args[1:], stdout, stderr)
	case "commands":
		return benchCommands(ctx, args[1:], stdout, stderr)
	case "rebuild":
		return benchRebuild(ctx, args[1:], stdout, stderr)
	case "lag":
		return benchLag(ctx, args[1:], stdout, stderr)
	case "signatures":
		return benchSignatures(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ledgerbench: unknown benchmark %q (valid: append, commands, rebuild, lag, signatures)\n", args[0])
	return 2
}

// scratch creates a migrated database for one benchmark and returns its URL
// and a function that drops it.
func scratch(ctx context.Context, keep bool, stderr io.Writer) (string, func(), error) {
	admin, err := app.DatabaseURL()
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("docledger_bench_%d", time.Now().UnixNano())
	dsn, err := pg.WithDatabase(admin, name)
	if err != nil {
		return "", nil, err
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	drop := func() {
		if keep {
			fmt.Fprintf(stderr, "bench: kept database %s\n", name)
			return
		}
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	if _, err := migrations.Apply(ctx, dsn); err != nil {
		drop()
		return "", nil, err
	}
	return dsn, drop, nil
}

// latencies summarises durations.
type latencies []time.Duration

func (l latencies) percentile(p float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(s[i].Microseconds()) / 1000
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// machine describes where a benchmark ran, for the report.
func machine() map[string]any {
	host, _ := os.Hostname()
	return map[string]any{"cpus": runtime.NumCPU(), "go": runtime.Version(), "host": host, "date": time.Now().UTC().Format(time.RFC3339)}
}

func printJSON(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintln(w, string(b))
}

func benchFlags(name string, stderr io.Writer) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.Bool("keep", false, "keep the scratch database")
	return fs, keep
}
