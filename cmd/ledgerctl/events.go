package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"docledger/adapters/pg"
	"docledger/cmd/internal/app"
	"docledger/eventstore"
)

// tailRecord is how `events tail` prints an event: one JSON object a line.
type tailRecord struct {
	Position       int64           `json:"position"`
	StreamID       string          `json:"stream_id"`
	StreamVersion  int64           `json:"stream_version"`
	EventID        string          `json:"event_id"`
	Type           string          `json:"type"`
	SchemaVersion  int             `json:"schema_version"`
	Data           json.RawMessage `json:"data"`
	DataSHA256     string          `json:"data_sha256"`
	Metadata       json.RawMessage `json:"metadata"`
	MetadataSHA256 string          `json:"metadata_sha256"`
	Actor          string          `json:"actor,omitempty"`
	CommandID      string          `json:"command_id,omitempty"`
	CausationID    string          `json:"causation_id,omitempty"`
	CorrelationID  string          `json:"correlation_id,omitempty"`
	OccurredAt     time.Time       `json:"occurred_at"`
	RecordedAt     time.Time       `json:"recorded_at"`
}

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "tail" {
		fmt.Fprintln(stderr, "usage: ledgerctl events tail [--after POSITION] [--limit N] [--follow]")
		return 2
	}
	fs := flag.NewFlagSet("events tail", flag.ContinueOnError)
	fs.SetOutput(stderr)
	after := fs.Int64("after", 0, "print events after this global position (0: from the start)")
	limit := fs.Int("limit", 0, "stop after N events (0: no limit)")
	follow := fs.Bool("follow", false, "keep printing new events as they commit")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
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
	store, closeStore, err := app.OpenStoreFromEnv(ctx, pool) // LEDGER_EVENT_STORE, as ledgerd
	if err != nil {
		return fail(stderr, err)
	}
	defer closeStore()
	enc := json.NewEncoder(stdout)
	printed := 0
	errStop := fmt.Errorf("limit reached")
	print := func(_ context.Context, recs []eventstore.Record) error {
		for _, r := range recs {
			if *limit > 0 && printed >= *limit {
				return errStop
			}
			enc.Encode(tailRecord{
				Position: r.Position, StreamID: r.StreamID, StreamVersion: r.StreamVersion, EventID: r.ID.String(),
				Type: r.Type, SchemaVersion: r.SchemaVersion, Data: r.Data, DataSHA256: hex.EncodeToString(r.DataSHA256[:]),
				Metadata: r.Metadata, MetadataSHA256: hex.EncodeToString(r.MetadataSHA256[:]), Actor: r.Actor,
				CommandID: r.CommandID, CausationID: r.CausationID, CorrelationID: r.CorrelationID,
				OccurredAt: r.OccurredAt, RecordedAt: r.RecordedAt,
			})
			printed++
		}
		if *limit > 0 && printed >= *limit {
			return errStop
		}
		return nil
	}
	if *follow {
		err := eventstore.Follow(ctx, store, *after, 250*time.Millisecond, print)
		if err == errStop || ctx.Err() != nil {
			return 0
		}
		return fail(stderr, err)
	}
	// Everything committed so far is printed, also what an older running
	// transaction still hides for a moment.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	waitErr := store.WaitReadable(waitCtx)
	cancel()
	if waitErr != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "ledgerctl: more events are committed but a long-running transaction keeps them from readers; printing what is readable")
	}
	for {
		recs, err := store.ReadAll(ctx, *after, 1000)
		if err != nil {
			return fail(stderr, err)
		}
		if len(recs) == 0 {
			return 0
		}
		if err := print(ctx, recs); err == errStop {
			return 0
		}
		*after = recs[len(recs)-1].Position
	}
}
