package commands_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/commands"
	"docledger/domain"
	"docledger/domain/document"
	"docledger/domain/event"
	"docledger/eventstore"
	"docledger/eventstore/memstore"
)

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// handlers is a commands.Registrar in memory: it calls a command's handler
// directly, as the bus would after decoding the message.
type handlers map[string]commands.Registration

func (h handlers) Add(r commands.Registration) error {
	if _, ok := h[r.Name]; ok {
		return fmt.Errorf("command %s already has a handler", r.Name)
	}
	h[r.Name] = r
	return nil
}

func (h handlers) send(ctx context.Context, meta commands.Meta, cmd commands.Command) (commands.Result, error) {
	r, ok := h[commands.Name(cmd)]
	if !ok {
		return commands.Result{}, commands.ErrUnknownCommand
	}
	return r.Handle(ctx, meta, cmd)
}

func newDocuments(t *testing.T) (handlers, *memstore.Store, *event.Registry) {
	t.Helper()
	store := memstore.New(func() time.Time { return now })
	reg := event.NewRegistry()
	document.Register(reg)
	h := handlers{}
	err := commands.RegisterDocumentHandlers(h, commands.DocumentDeps{Store: store, Registry: reg,
		Clock: domain.ClockFunc(func() time.Time { return now }), Cache: commands.NewStreamCache(100)})
	if err != nil {
		t.Fatal(err)
	}
	return h, store, reg
}

func registerCmd(id uuid.UUID) *commands.RegisterDocument {
	return &commands.RegisterDocument{DocumentID: id, SenderParty: "BIN990140000123", RecipientParty: "IIN900101300123",
		Kind: document.KindInvoice, Title: "Invoice 7", ContentSHA256: hash}
}

func TestRegisterDocumentHandlers(t *testing.T) {
	h, _, _ := newDocuments(t)
	for _, name := range []string{"RegisterDocument", "SendDocument", "DeliverDocument"} {
		r, ok := h[name]
		if !ok {
			t.Fatalf("no handler of %s in %v", name, h)
		}
		if got := commands.Name(r.New()); got != name {
			t.Fatalf("registration %s makes %s", name, got)
		}
	}
	if err := commands.RegisterDocumentHandlers(h, commands.DocumentDeps{}); err == nil {
		t.Fatal("registered without a store")
	}
}

func TestRegisterErasesTheType(t *testing.T) {
	var got *commands.SendDocument
	r := commands.Register(func(_ context.Context, _ commands.Meta, c *commands.SendDocument) (commands.Result, error) {
		got = c
		return commands.Result{StreamVersion: 7}, nil
	})
	if r.Name != "SendDocument" {
		t.Fatalf("name %q", r.Name)
	}
	cmd := r.New()
	if _, ok := cmd.(*commands.SendDocument); !ok {
		t.Fatalf("New made a %T", cmd)
	}
	if res, err := r.Handle(context.Background(), commands.Meta{}, cmd); err != nil || res.StreamVersion != 7 || got != cmd {
		t.Fatalf("handle: %+v, %v", res, err)
	}
	if _, err := r.Handle(context.Background(), commands.Meta{}, &commands.DeliverDocument{}); err == nil {
		t.Fatal("a DeliverDocument reached the SendDocument handler")
	}
}

func TestIdempotent(t *testing.T) {
	h, store, _ := newDocuments(t)
	ctx := context.Background()
	id := uuid.New()
	meta := commands.Meta{Actor: "user:IIN900101300123", CommandID: "reg-" + id.String()}
	first, err := h.send(ctx, meta, registerCmd(id))
	if err != nil || first.StreamVersion != 1 || first.Position == 0 || first.Duplicate {
		t.Fatalf("register: %+v, %v", first, err)
	}
	// The same command ID again: the first result, nothing written.
	again, err := h.send(ctx, meta, registerCmd(id))
	if err != nil || !again.Duplicate || again.Position != first.Position || again.StreamVersion != 1 || again.StreamID != document.StreamID(id) {
		t.Fatalf("repeated command: %+v, %v", again, err)
	}
	// The same command ID with another payload: refused.
	other := registerCmd(id)
	other.Title = "Another"
	if _, err := h.send(ctx, meta, other); !errors.Is(err, commands.ErrIdempotencyKeyReused) {
		t.Fatalf("reused key: %v", err)
	}
	// A repeat the handler refuses on today's state (sent already) is
	// answered with the first result too.
	send := commands.Meta{CommandID: "send-" + id.String()}
	sent, err := h.send(ctx, send, &commands.SendDocument{DocumentID: id})
	if err != nil || sent.StreamVersion != 2 {
		t.Fatalf("send: %+v, %v", sent, err)
	}
	if res, err := h.send(ctx, send, &commands.SendDocument{DocumentID: id}); err != nil || !res.Duplicate || res.Position != sent.Position {
		t.Fatalf("repeated send: %+v, %v", res, err)
	}
	// Without a command ID there is nothing to look up: the refusal stands.
	if _, err := h.send(ctx, commands.Meta{}, &commands.SendDocument{DocumentID: id}); !errors.Is(err, document.ErrAlreadySent) {
		t.Fatalf("second send: %v, want ErrAlreadySent", err)
	}
	recs, _ := store.ReadStream(ctx, document.StreamID(id), 0)
	if len(recs) != 2 || recs[0].CommandID != meta.CommandID || recs[0].Actor != meta.Actor {
		t.Fatalf("stored events: %+v", recs)
	}
}

// The fingerprint travels in Meta: the same request gives the same one,
// another payload another.
func TestIdempotentFingerprintsIntoMeta(t *testing.T) {
	var seen [][]byte
	r := commands.Decorate(commands.Register(func(_ context.Context, m commands.Meta, _ *commands.SendDocument) (commands.Result, error) {
		seen = append(seen, m.RequestSHA256)
		return commands.Result{}, nil
	}), commands.Idempotent(memstore.New(nil)))
	ctx := context.Background()
	a, b := uuid.New(), uuid.New()
	for _, id := range []uuid.UUID{a, a, b} {
		if _, err := r.Handle(ctx, commands.Meta{CommandID: "c"}, &commands.SendDocument{DocumentID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen[0]) != 32 || !bytes.Equal(seen[0], seen[1]) || bytes.Equal(seen[0], seen[2]) {
		t.Fatalf("fingerprints %x", seen)
	}
}

// failingStore fails every lookup of a command.
type failingStore struct{ eventstore.Writer }

func (failingStore) Command(context.Context, string) (eventstore.CommandRecord, error) {
	return eventstore.CommandRecord{}, errors.New("connection reset")
}

func TestIdempotentLookupFailure(t *testing.T) {
	r := commands.Decorate(commands.Register(func(context.Context, commands.Meta, *commands.SendDocument) (commands.Result, error) {
		return commands.Result{}, document.ErrAlreadySent
	}), commands.Idempotent(failingStore{memstore.New(nil)}))
	_, err := r.Handle(context.Background(), commands.Meta{CommandID: "c"}, &commands.SendDocument{})
	if !errors.Is(err, document.ErrAlreadySent) || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("lookup failure: %v", err)
	}
	if commands.OutcomeOf(commands.Result{}, err) != commands.OutcomeRejected {
		t.Fatalf("outcome %s", commands.OutcomeOf(commands.Result{}, err))
	}
}

func TestDecorateOrder(t *testing.T) {
	var trace []string
	tag := func(s string) commands.Decorator {
		return func(name string, next commands.HandleFunc) commands.HandleFunc {
			return func(ctx context.Context, meta commands.Meta, cmd commands.Command) (commands.Result, error) {
				trace = append(trace, s+":"+name)
				return next(ctx, meta, cmd)
			}
		}
	}
	r := commands.Decorate(commands.Register(func(context.Context, commands.Meta, *commands.SendDocument) (commands.Result, error) {
		trace = append(trace, "handler")
		return commands.Result{}, nil
	}), tag("outer"), tag("inner"))
	r.Handle(context.Background(), commands.Meta{}, r.New())
	if got := strings.Join(trace, " "); got != "outer:SendDocument inner:SendDocument handler" {
		t.Fatalf("order: %s", got)
	}
}

type recorded struct {
	name    string
	outcome commands.Outcome
}

type fakeMetrics struct{ got []recorded }

func (m *fakeMetrics) CommandHandled(name string, outcome commands.Outcome, took time.Duration) {
	m.got = append(m.got, recorded{name, outcome})
}

func TestMeasuredAndLogged(t *testing.T) {
	tests := []struct {
		name    string
		res     commands.Result
		err     error
		outcome commands.Outcome
	}{
		{"applied", commands.Result{Position: 3}, nil, commands.OutcomeOK},
		{"a repeat", commands.Result{Position: 3, Duplicate: true}, nil, commands.OutcomeDuplicate},
		{"a rule refuses", commands.Result{}, document.ErrAlreadySent, commands.OutcomeRejected},
		{"a reused key", commands.Result{}, fmt.Errorf("append: %w", eventstore.ErrCommandReused), commands.OutcomeRejected},
		{"a conflict outlasts the retries", commands.Result{}, fmt.Errorf("after 5 attempts: %w", &eventstore.ConflictError{}), commands.OutcomeFailed},
		{"the disk is on fire", commands.Result{}, errors.New("disk on fire"), commands.OutcomeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m fakeMetrics
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			r := commands.Decorate(commands.Register(func(context.Context, commands.Meta, *commands.SendDocument) (commands.Result, error) {
				return tt.res, tt.err
			}), commands.Measured(&m), commands.Logged(log))
			res, err := r.Handle(context.Background(), commands.Meta{CommandID: "c-1"}, r.New())
			if res != tt.res || err != tt.err {
				t.Fatalf("decorators changed the answer: %+v, %v", res, err)
			}
			if len(m.got) != 1 || m.got[0] != (recorded{"SendDocument", tt.outcome}) {
				t.Fatalf("metrics %+v, want %s", m.got, tt.outcome)
			}
			logged := strings.Contains(logs.String(), "command failed")
			if logged != (tt.outcome == commands.OutcomeFailed) || (logged && !strings.Contains(logs.String(), "command_key="+commands.KeyDigest("c-1"))) ||
				strings.Contains(logs.String(), "c-1") { // the idempotency key itself is never logged
				t.Fatalf("logs: %q", logs.String())
			}
		})
	}
}
