package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"docledger/cmd/internal/app"
	"docledger/commands"
	"docledger/domain/document"
)

// demoNamespace makes the demo's ids fixed, so loading it twice changes nothing.
var demoNamespace = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")

// runDemo loads demo data through the command path: documents between a few
// parties in several states. Every command has a fixed idempotency key.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return fail(stderr, err)
	}
	cfg.Projections = false
	// The demo sends commands on the bus and serves no HTTP.
	a, err := app.NewWith(ctx, cfg, app.NewLogger(cfg.LogLevel+4), app.Deps{Authenticator: app.NoCredentials{}})
	if err != nil {
		return fail(stderr, err)
	}
	defer a.Close()
	busCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- a.Bus.Run(busCtx) }()
	defer func() { stop(); a.Bus.Close(); <-done }()
	select {
	case <-a.Bus.Running():
	case <-time.After(30 * time.Second):
		return fail(stderr, fmt.Errorf("command bus did not start"))
	}
	type doc struct {
		from, to, title string
		kind            document.Kind
		steps           int // 1 registered, 2 sent, 3 delivered
	}
	docs := []doc{
		{"BIN990140000123", "IIN900101300123", "Invoice No. 1 for October 2026", document.KindInvoice, 3},
		{"BIN990140000123", "IIN900101300123", "Act of completed works No. 14", document.KindActOfWorks, 2},
		{"BIN990140000123", "BIN050540004455", "Reconciliation act Q3 2026", document.KindReconciliation, 3},
		{"BIN050540004455", "BIN990140000123", "Supply contract No. 77", document.KindContract, 1},
		{"BIN050540004455", "IIN900101300123", "Letter about the new tariff", document.KindLetter, 2},
	}
	n := 0
	for i, d := range docs {
		id := uuid.NewSHA1(demoNamespace, []byte(fmt.Sprintf("doc-%d", i)))
		key := func(step string) commands.Meta {
			return commands.Meta{CommandID: fmt.Sprintf("demo-%d-%s", i, step), Actor: "demo"}
		}
		cmds := []struct {
			step string
			cmd  commands.Command
		}{
			{"register", &commands.RegisterDocument{DocumentID: id, SenderParty: d.from, RecipientParty: d.to, Kind: d.kind, Title: d.title,
				ContentSHA256: fmt.Sprintf("%064x", i+1)}},
			{"send", &commands.SendDocument{DocumentID: id}},
			{"deliver", &commands.DeliverDocument{DocumentID: id}},
		}
		for _, c := range cmds[:d.steps] {
			res, err := a.Bus.Send(ctx, key(c.step), c.cmd)
			if err != nil {
				return fail(stderr, fmt.Errorf("demo %s %s: %w", c.step, id, err))
			}
			if !res.Duplicate {
				n++
			}
		}
	}
	fmt.Fprintf(stdout, "demo: %d documents, %d new commands applied (parties BIN990140000123, BIN050540004455, IIN900101300123)\n", len(docs), n)
	return 0
}
