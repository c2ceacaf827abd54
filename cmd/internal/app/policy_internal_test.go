package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/domain/document"
	"docledger/eventstore"
	"docledger/eventstore/memstore"
)

// failingReads is a store whose stream reads fail: a cached answer makes none.
type failingReads struct{ eventstore.Store }

func (failingReads) ReadStream(context.Context, string, int64) ([]eventstore.Record, error) {
	return nil, errors.New("read the stream again")
}

// A document's parties are read from its stream, then kept: after its
// delivery no read reaches the store; before it, the delivery is seen.
func TestStreamDocumentsKeepsWhatNeverChanges(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(nil)
	reg := NewRegistry()
	id := uuid.New()
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	appendEvent := func(expected eventstore.ExpectedVersion, p interface{ EventType() string }) {
		env, err := eventstore.Encode(reg, p)
		if err != nil {
			t.Fatal(err)
		}
		env.OccurredAt = at
		if _, err := store.Append(ctx, document.StreamID(id), expected, env); err != nil {
			t.Fatal(err)
		}
	}
	docs := &streamDocuments{store: store, reg: reg}
	if _, err := docs.Parties(ctx, id); !errors.Is(err, policy.ErrNotFound) {
		t.Fatalf("unknown document: %v", err)
	}
	appendEvent(eventstore.NoStream, document.Registered{DocumentID: id, SenderParty: "S", RecipientParty: "R", Kind: document.KindInvoice,
		Title: "t", ContentSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", RegisteredAt: at})
	if p, err := docs.Parties(ctx, id); err != nil || p.Sender != "S" || p.Recipient != "R" || p.Delivered {
		t.Fatalf("registered: %+v %v", p, err)
	}
	appendEvent(1, document.Sent{DocumentID: id, SentAt: at})
	appendEvent(2, document.Delivered{DocumentID: id, RecipientParty: "R", DeliveredAt: at})
	if p, err := docs.Parties(ctx, id); err != nil || !p.Delivered || p.Sender != "S" {
		t.Fatalf("delivered: %+v %v", p, err)
	}
	docs.store = failingReads{store}
	if p, err := docs.Parties(ctx, id); err != nil || !p.Delivered || p.Recipient != "R" {
		t.Fatalf("a delivered document read again: %+v %v", p, err)
	}
}
