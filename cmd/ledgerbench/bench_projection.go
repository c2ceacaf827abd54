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
	"docledger/cmd/internal/app"
	"docledger/domain/document"
	"docledger/eventstore"
	"docledger/projections"
	"docledger/projections/inbox"
)

// benchRebuild fills a scratch log with document events (a third each
// registered, sent, delivered) and times a rebuild of the inbox from zero.
func benchRebuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, keep := benchFlags("rebuild", stderr)
	events := fs.Int("events", 1_000_000, "events in the log")
	batch := fs.Int("batch", 5000, "events per projection transaction")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dsn, drop, err := scratch(ctx, *keep, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer drop()
	admin, err := pg.Connect(ctx, pg.Config{URL: dsn, MaxConns: 4})
	if err != nil {
		return fail(stderr, err)
	}
	defer admin.Close()
	docs := *events / 3
	fillStart := time.Now()
	// The log is written in SQL (the fastest way to a million rows); the
	// payloads are exactly what the document aggregate records.
	const chunk = 50000
	for from := 0; from < docs; from += chunk {
		to := min(from+chunk, docs)
		_, err := admin.Exec(ctx, `
			WITH d AS (
				SELECT i, md5('doc' || i)::uuid AS id, 'IIN9001013' || lpad((i % 5000)::text, 5, '0') AS recipient,
					timestamptz '2026-01-01' + i * interval '1 second' AS at
				FROM generate_series($1::int, $2::int - 1) AS i
			), e AS (
				SELECT d.i, 1 AS v, 'document.registered' AS typ, 2 AS sv, convert_to(json_build_object(
					'document_id', d.id, 'sender_party', 'BIN990140000123', 'recipient_party', d.recipient,
					'kind', 'invoice', 'title', 'Invoice ' || d.i, 'content_sha256', md5(d.i::text) || md5(d.i::text),
					'registered_at', d.at)::text, 'UTF8') AS data, d.id, d.at FROM d
				UNION ALL
				SELECT d.i, 2, 'document.sent', 1, convert_to(json_build_object('document_id', d.id, 'sent_at', d.at)::text, 'UTF8'), d.id, d.at FROM d
				UNION ALL
				SELECT d.i, 3, 'document.delivered', 1, convert_to(json_build_object('document_id', d.id, 'recipient_party', d.recipient, 'delivered_at', d.at)::text, 'UTF8'), d.id, d.at FROM d
			)
			INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, data_sha256, data_json,
				metadata, metadata_sha256, actor, occurred_at)
			SELECT 'document-' || e.id, e.v, gen_random_uuid(), e.typ, e.sv, e.data, sha256(e.data), convert_from(e.data, 'UTF8')::jsonb,
				'{}'::bytea, sha256('{}'::bytea), 'bench', e.at
			FROM e ORDER BY e.i, e.v`, from, to)
		if err != nil {
			return fail(stderr, fmt.Errorf("fill the log: %w", err))
		}
	}
	if _, err := admin.Exec(ctx, "ANALYZE events"); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stderr, "bench: wrote %d events in %s\n", docs*3, time.Since(fillStart).Round(time.Millisecond))
	pool, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: 4})
	if err != nil {
		return fail(stderr, err)
	}
	defer pool.Close()
	store := pgstore.New(pool, pgstore.Options{})
	defer store.Close()
	res, err := projections.Rebuild(ctx, pool, store, inbox.New(app.NewRegistry()), *batch)
	if err != nil {
		return fail(stderr, err)
	}
	var rows int
	pool.QueryRow(ctx, "SELECT count(*) FROM inbox.documents WHERE status = 'delivered'").Scan(&rows)
	if rows != docs {
		return fail(stderr, fmt.Errorf("rebuilt inbox has %d delivered documents, want %d", rows, docs))
	}
	printJSON(stdout, map[string]any{
		"benchmark": "rebuild", "projection": inbox.Name, "events": res.Events, "batch": *batch,
		"seconds": round(res.Duration.Seconds(), 2), "events_per_sec": round(float64(res.Events)/res.Duration.Seconds(), 0),
		"machine": machine(),
	})
	return 0
}

// benchLag appends document events at a steady rate while the inbox runner
// keeps up, and reports the delay from each event's commit to the commit of
// the projection batch that applied it.
func benchLag(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, keep := benchFlags("lag", stderr)
	rate := fs.Int("rate", 2000, "events per second to append")
	duration := fs.Duration("duration", 20*time.Second, "length of the run")
	writers := fs.Int("writers", 8, "appending goroutines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	dsn, drop, err := scratch(ctx, *keep, stderr)
	if err != nil {
		return fail(stderr, err)
	}
	defer drop()
	pool, err := pg.Connect(ctx, pg.Config{URL: dsn, Role: pg.DefaultRole, MaxConns: int32(*writers + 6)})
	if err != nil {
		return fail(stderr, err)
	}
	defer pool.Close()
	store := pgstore.New(pool, pgstore.Options{})
	defer store.Close()
	reg := app.NewRegistry()

	var mu sync.Mutex
	var lags latencies
	runner, err := projections.NewRunner(projections.RunnerConfig{Pool: pool, Log: store, Projection: inbox.New(reg),
		OnApplied: func(evs []eventstore.Record, at time.Time) {
			mu.Lock()
			for _, e := range evs {
				lags = append(lags, at.Sub(e.RecordedAt))
			}
			mu.Unlock()
		}})
	if err != nil {
		return fail(stderr, err)
	}
	rctx, stopRunner := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- runner.Run(rctx) }()

	per := time.Duration(float64(time.Second) * float64(*writers) / float64(*rate))
	wctx, stopWriters := context.WithTimeout(ctx, *duration)
	defer stopWriters()
	var wg sync.WaitGroup
	var appended sync.Map
	errs := make([]error, *writers)
	for w := 0; w < *writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Paced by schedule, not by a ticker, so a slow append is made up
			// for instead of dropping a tick.
			start := time.Now().Add(time.Duration(w) * per / time.Duration(*writers))
			n := 0
			for {
				next := start.Add(time.Duration(n) * per)
				select {
				case <-wctx.Done():
					appended.Store(w, n)
					return
				case <-time.After(time.Until(next)):
				}
				id := uuid.New()
				env, _ := eventstore.Encode(reg, document.Registered{DocumentID: id, SenderParty: "BIN990140000123",
					RecipientParty: fmt.Sprintf("IIN9001013%05d", n%1000), Kind: document.KindInvoice, Title: "Lag",
					ContentSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", RegisteredAt: time.Now().UTC()})
				env.OccurredAt = time.Now().UTC()
				if _, err := store.Append(wctx, document.StreamID(id), eventstore.NoStream, env); err != nil {
					if wctx.Err() == nil {
						errs[w] = err
					}
					appended.Store(w, n)
					return
				}
				n++
			}
		}()
	}
	wg.Wait()
	total := 0
	appended.Range(func(_, v any) bool { total += v.(int); return true })
	for _, err := range errs {
		if err != nil {
			stopRunner()
			return fail(stderr, err)
		}
	}
	// Let the runner apply the tail.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(lags)
		mu.Unlock()
		if n >= total {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopRunner()
	<-runDone
	mu.Lock()
	defer mu.Unlock()
	printJSON(stdout, map[string]any{
		"benchmark": "lag", "target_rate": *rate, "achieved_rate": round(float64(total)/duration.Seconds(), 0),
		"events": total, "applied": len(lags), "p50_ms": lags.percentile(50), "p99_ms": lags.percentile(99),
		"max_ms": lags.percentile(100), "machine": machine(),
	})
	return 0
}
