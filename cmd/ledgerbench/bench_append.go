package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/pg"
	"docledger/adapters/pgstore"
	"docledger/eventstore"
)

// benchAppend compares the store's Append with raw INSERTs of an equivalent
// row (same columns, the same hashes and jsonb copy computed in SQL, the same
// indexes) in one run against one database, N writers on distinct streams.
func benchAppend(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, keep := benchFlags("append", stderr)
	writers := fs.Int("writers", 32, "concurrent writers, each on its own stream")
	duration := fs.Duration("duration", 10*time.Second, "length of each phase")
	batch := fs.Int("batch", 1, "events per append")
	withIDs := fs.Bool("command-ids", false, "give each append a command id (idempotency), as the command path does")
	rounds := fs.Int("rounds", 2, "alternate the raw and Append phases this many times (each a duration long), to even out drift")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dsn, drop, err := scratch(ctx, *keep, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer drop()
	admin, err := pg.Connect(ctx, pg.Config{URL: dsn, MaxConns: int32(*writers + 2)})
	if err != nil {
		return fail(stderr, err)
	}
	defer admin.Close()
	app, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: int32(*writers + 2)})
	if err != nil {
		return fail(stderr, err)
	}
	defer app.Close()
	if _, err := admin.Exec(ctx, "CREATE TABLE bench_raw (LIKE events INCLUDING ALL)"); err != nil {
		return fail(stderr, err)
	}
	store := pgstore.New(app, pgstore.Options{})
	defer store.Close()

	data := []byte(`{"document_id":"0192f1d2-7c4e-7a35-9b1a-6f2c8e4d1a10","sender_party":"BIN990140000123","recipient_party":"IIN900101300123","kind":"invoice","title":"Invoice No. 1 for October 2026","content_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","registered_at":"2026-10-31T09:15:00Z"}`)
	meta := []byte(`{"source":"bench"}`)
	occurred := time.Now().UTC()

	// Per-writer call counters (each writer touches only its own slot), so
	// that versions continue across rounds.
	rawNext, appendNext := make([]int, *writers), make([]int, *writers)
	raw := func(ctx context.Context, w, _ int) error {
		i := rawNext[w]
		rawNext[w]++
		stream := fmt.Sprintf("raw-%d", w)
		if *batch == 1 {
			_, err := admin.Exec(ctx, `INSERT INTO bench_raw (stream_id, stream_version, event_id, event_type, schema_version,
				data, data_sha256, data_json, metadata, metadata_sha256, actor, command_id, causation_id, correlation_id, occurred_at)
				VALUES ($1, $2, $3, 'document.registered', 2, $4, sha256($4), convert_from($4, 'UTF8')::jsonb, $5, sha256($5),
				'bench', $6, NULL, NULL, $7)`, stream, int64(i+1), uuid.Must(uuid.NewV7()), data, meta, nullableID(*withIDs), occurred)
			return err
		}
		versions := make([]int64, *batch)
		ids := make([]uuid.UUID, *batch)
		datas := make([][]byte, *batch)
		for k := range versions {
			versions[k], ids[k], datas[k] = int64(i**batch+k+1), uuid.Must(uuid.NewV7()), data
		}
		_, err := admin.Exec(ctx, `INSERT INTO bench_raw (stream_id, stream_version, event_id, event_type, schema_version,
				data, data_sha256, data_json, metadata, metadata_sha256, actor, command_id, causation_id, correlation_id, occurred_at)
			SELECT $1, v, id, 'document.registered', 2, d, sha256(d), convert_from(d, 'UTF8')::jsonb, $4, sha256($4), 'bench', $5, NULL, NULL, $6
			FROM unnest($2::bigint[], $3::uuid[], $7::bytea[]) AS t(v, id, d)`, stream, versions, ids, meta, nullableID(*withIDs), occurred, datas)
		return err
	}
	appendFn := func(ctx context.Context, w, _ int) error {
		i := appendNext[w]
		appendNext[w]++
		envs := make([]eventstore.Envelope, *batch)
		var cause eventstore.Cause
		cause.Actor = "bench"
		if *withIDs {
			cause.CommandID = uuid.Must(uuid.NewV7()).String()
		}
		for k := range envs {
			envs[k] = eventstore.Envelope{Type: "document.registered", SchemaVersion: 2, Data: data, Metadata: meta, OccurredAt: occurred, Cause: cause}
		}
		_, err := store.Append(ctx, fmt.Sprintf("bench-%d", w), eventstore.ExpectedVersion(int64(i**batch)), envs...)
		return err
	}

	var rawRate, rate float64
	var lat latencies
	for r := 0; r < *rounds; r++ {
		// Streams continue across rounds: each phase starts where the last ended.
		rr, _, err := runPhase(ctx, *writers, *duration, *batch, raw)
		if err != nil {
			return fail(stderr, fmt.Errorf("raw inserts: %w", err))
		}
		ar, al, err := runPhase(ctx, *writers, *duration, *batch, appendFn)
		if err != nil {
			return fail(stderr, fmt.Errorf("append: %w", err))
		}
		rawRate += rr / float64(*rounds)
		rate += ar / float64(*rounds)
		lat = append(lat, al...)
		fmt.Fprintf(stderr, "bench: round %d: raw %.0f events/s, append %.0f events/s\n", r+1, rr, ar)
	}
	printJSON(stdout, map[string]any{
		"benchmark": "append", "writers": *writers, "batch": *batch, "duration_s": duration.Seconds(), "rounds": *rounds, "command_ids": *withIDs,
		"events_per_sec": round(rate, 0), "raw_events_per_sec": round(rawRate, 0), "ratio": round(rate/rawRate, 3),
		"p50_ms": lat.percentile(50), "p99_ms": lat.percentile(99), "machine": machine(),
	})
	return 0
}

func nullableID(on bool) any {
	if on {
		return uuid.Must(uuid.NewV7()).String()
	}
	return nil
}

// runPhase runs fn with n writers for d and returns events per second and the
// latency of each call. Writer w's i-th call is fn(ctx, w, i).
func runPhase(ctx context.Context, n int, d time.Duration, batch int, fn func(ctx context.Context, w, i int) error) (float64, latencies, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	lats := make([]latencies, n)
	errs := make([]error, n)
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				t := time.Now()
				if err := fn(ctx, w, i); err != nil {
					errs[w] = err
					cancel()
					return
				}
				lats[w] = append(lats[w], time.Since(t))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all latencies
	for w := range lats {
		if errs[w] != nil {
			return 0, nil, errs[w]
		}
		all = append(all, lats[w]...)
	}
	return float64(len(all)*batch) / elapsed.Seconds(), all, nil
}
