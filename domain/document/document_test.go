package document_test

import (
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/domain"
	"docledger/domain/document"
	"docledger/domain/event"
)

var (
	docID = uuid.MustParse("0192f1d2-7c4e-7a35-9b1a-6f2c8e4d1a10")
	t0    = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	hash  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	reg   = document.Registration{SenderParty: "BIN990140000123", RecipientParty: "IIN900101300123", Kind: document.KindInvoice, Title: "Invoice 1", ContentSHA256: hash}
)

func registered() document.Registered {
	return document.Registered{DocumentID: docID, SenderParty: reg.SenderParty, RecipientParty: reg.RecipientParty, Kind: reg.Kind, Title: reg.Title, ContentSHA256: hash, RegisteredAt: t0}
}

func TestDocumentRules(t *testing.T) {
	sent := document.Sent{DocumentID: docID, SentAt: t0}
	tests := []struct {
		name  string
		given []event.Payload
		when  func(d *document.Document) error
		then  []event.Payload
		err   error
	}{
		{"register", nil, func(d *document.Document) error { return d.Register(reg, t0) }, []event.Payload{registered()}, nil},
		{"register twice", []event.Payload{registered()}, func(d *document.Document) error { return d.Register(reg, t0) }, nil, document.ErrAlreadyRegistered},
		{"register without title", nil, func(d *document.Document) error {
			r := reg
			r.Title = "  "
			return d.Register(r, t0)
		}, nil, domain.ErrValidation},
		{"register to oneself", nil, func(d *document.Document) error {
			r := reg
			r.RecipientParty = r.SenderParty
			return d.Register(r, t0)
		}, nil, document.ErrSameParty},
		{"register unknown kind", nil, func(d *document.Document) error {
			r := reg
			r.Kind = "poem"
			return d.Register(r, t0)
		}, nil, document.ErrUnknownKind},
		{"register bad hash", nil, func(d *document.Document) error {
			r := reg
			r.ContentSHA256 = "ABC"
			return d.Register(r, t0)
		}, nil, domain.ErrValidation},
		{"send", []event.Payload{registered()}, func(d *document.Document) error { return d.Send(t0) }, []event.Payload{sent}, nil},
		{"send unregistered", nil, func(d *document.Document) error { return d.Send(t0) }, nil, document.ErrNotRegistered},
		{"send twice", []event.Payload{registered(), sent}, func(d *document.Document) error { return d.Send(t0) }, nil, document.ErrAlreadySent},
		{"deliver", []event.Payload{registered(), sent}, func(d *document.Document) error { return d.Deliver(t0) },
			[]event.Payload{document.Delivered{DocumentID: docID, RecipientParty: reg.RecipientParty, DeliveredAt: t0}}, nil},
		{"deliver unsent", []event.Payload{registered()}, func(d *document.Document) error { return d.Deliver(t0) }, nil, document.ErrNotSent},
		{"deliver twice", []event.Payload{registered(), sent, document.Delivered{DocumentID: docID, DeliveredAt: t0}},
			func(d *document.Document) error { return d.Deliver(t0) }, nil, document.ErrAlreadyDelivered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := document.New(docID)
			for i, p := range tt.given {
				d.Apply(p)
				d.Loaded(int64(i + 1))
			}
			err := tt.when(d)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if got := d.Changes(); !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("events = %#v, want %#v", got, tt.then)
			}
		})
	}
}

func TestRegisteredV1FixtureUpcasts(t *testing.T) {
	data, err := os.ReadFile("testdata/registered_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	r := event.NewRegistry()
	document.Register(r)
	p, err := r.Decode(document.TypeRegistered, 1, data)
	if err != nil {
		t.Fatal(err)
	}
	want := document.Registered{
		DocumentID: docID, SenderParty: "BIN990140000123", RecipientParty: "IIN900101300123",
		Kind: document.KindArbitrary, Title: "Act No. 17 of October 2024", ContentSHA256: hash,
		RegisteredAt: time.Date(2024, 10, 31, 9, 15, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("upcast v1 = %#v, want %#v", p, want)
	}
	// The current version round-trips through Encode and Decode.
	env, err := r.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if env.SchemaVersion != 2 {
		t.Fatalf("schema version = %d, want 2", env.SchemaVersion)
	}
	back, err := r.Decode(env.Type, env.SchemaVersion, env.Data)
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("round trip = %#v, %v", back, err)
	}
	if _, err := r.Decode(document.TypeRegistered, 3, data); err == nil {
		t.Fatal("decoding a future schema version succeeded")
	}
}
