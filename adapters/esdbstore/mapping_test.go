package esdbstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"docledger/eventstore"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// These tests cover the pure mapping and need no server; the conformance
// suite against a live node is in store_test.go.

var almaty = time.FixedZone("Asia/Almaty", 5*3600)

func envelope(meta []byte) eventstore.Envelope {
	return eventstore.Envelope{
		ID:            uuid.Must(uuid.NewV7()),
		Type:          "document.sent",
		SchemaVersion: 3,
		Data:          []byte("{\"z\": 1,  \"a\":\t[3, 2, 1]}"),
		Metadata:      meta,
		OccurredAt:    time.Date(2026, 3, 2, 15, 4, 5, 123456789, almaty),
		Cause: eventstore.Cause{
			Actor: "user:42", CommandID: "cmd-1", CausationID: "cause-1", CorrelationID: "corr-1",
		},
	}
}

func TestExpectedRevision(t *testing.T) {
	tests := []struct {
		in   eventstore.ExpectedVersion
		want esdb.ExpectedRevision
	}{
		{eventstore.Any, esdb.Any{}},
		{eventstore.NoStream, esdb.NoStream{}},
		{1, esdb.Revision(0)},
		{2, esdb.Revision(1)},
		{1 << 40, esdb.Revision(1<<40 - 1)},
	}
	for _, tt := range tests {
		got, err := expectedRevision(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("expectedRevision(%s) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
	if _, err := expectedRevision(-2); !errors.Is(err, eventstore.ErrInvalidEvent) {
		t.Errorf("expectedRevision(-2): %v, want ErrInvalidEvent", err)
	}
	if versionOf(0) != 1 || versionOf(41) != 42 {
		t.Errorf("versionOf: revision 0 -> %d, 41 -> %d", versionOf(0), versionOf(41))
	}
}

func TestActualVersionFromMessage(t *testing.T) {
	prefix := "[ErrorCodeWrongExpectedVersion] an append request failed the optimistic concurrency on the server: "
	tests := []struct {
		msg  string
		want int64
		ok   bool
	}{
		{prefix + "wrong expected version: expecting '2' but got 'no_stream'", 0, true},
		{prefix + "wrong expected version: expecting 'no_stream' but got '0'", 1, true},
		{prefix + "wrong expected version: expecting '4' but got '0'", 1, true},
		{"wrong expected version: expecting 'any' but got '41'", 42, true},
		{"wrong expected version: expecting 'stream_exists' but got 'no_stream'", 0, true},
		{"wrong expected version: expecting '1' but got '-1'", 0, false},
		{"wrong expected version", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := actualVersionFromMessage(tt.msg)
		if got != tt.want || ok != tt.ok {
			t.Errorf("actualVersionFromMessage(%q) = %d, %v; want %d, %v", tt.msg, got, ok, tt.want, tt.ok)
		}
	}
}

func TestInvalidPosition(t *testing.T) {
	server := status.Error(codes.InvalidArgument, "Trying to read from an invalid position.")
	wrapped, _ := esdb.FromError(server)
	if !isInvalidPosition(server) || !isInvalidPosition(wrapped) || !isInvalidPosition(fmt.Errorf("read: %w", wrapped)) {
		t.Fatal("the server's invalid-position refusal is not recognised")
	}
	for _, err := range []error{nil, status.Error(codes.InvalidArgument, "bad filter"), status.Error(codes.Unknown, "invalid position"), errors.New("invalid position")} {
		if isInvalidPosition(err) {
			t.Errorf("isInvalidPosition(%v) = true", err)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	plain := errors.New("wrong expected version: expecting '1' but got '2'")
	unknown, _ := esdb.FromError(plain)
	for _, err := range []error{nil, plain, unknown, fmt.Errorf("wrapped: %w", unknown), &eventstore.ConflictError{}} {
		if isWrongExpectedVersion(err) {
			t.Errorf("isWrongExpectedVersion(%v) = true", err)
		}
		if isRetryable(err) {
			t.Errorf("isRetryable(%v) = true", err)
		}
	}
}

// metadataCases are caller metadata whose bytes must come back exactly.
var metadataCases = [][]byte{
	[]byte(`{"source":"storetest"}`),
	[]byte(`{"b":2,"a":1}`),
	[]byte(`{"b" : 2 ,   "a":[1, 2,3]}`),
	[]byte("{\n\t\"deep\": {\"x\": [ {} , [] ]}\n}"),
	[]byte("{\"\u049b\": \"\u049a\u0430\u0437\u0430\u049b\u0441\u0442\u0430\u043d\"}"),
	[]byte(`{"escaped":"\u049b\u0041\"\\\/\n"}`),
	[]byte(`{"html":"<a href='x'>&amp;</a>"}`),
	[]byte("{\"seps\":\"\u2028\u2029\"}"),
	[]byte(`{"n":1.50e+10,"m":-0.0,"k":100000000000000000000000}`),
	[]byte(`{"dup":1,"dup":2}`),
	[]byte(`null`),
	[]byte(`[]`),
	[]byte(`"just a string"`),
	[]byte(`12`),
	[]byte("  {\"padded\": true}\n"),
	[]byte("{\"trailing\":1}\r\n"),
	[]byte("\t[]"),
	[]byte(`{}`),
}

func TestMetadataWrapperRoundTripIsByteExact(t *testing.T) {
	for _, meta := range metadataCases {
		e := envelope(meta)
		fp := sha256.Sum256([]byte("request"))
		stored, err := encodeMetadata(e, e.ID, metadataBytes(e.Metadata), fp[:])
		if err != nil {
			t.Fatalf("encode %q: %v", meta, err)
		}
		if !json.Valid(stored) {
			t.Fatalf("wrapper of %q is not JSON: %s", meta, stored)
		}
		d, err := decodeMetadata(stored, e.Data)
		if err != nil {
			t.Fatalf("decode wrapper of %q: %v\n%s", meta, err, stored)
		}
		if !bytes.Equal(d.Metadata, meta) {
			t.Errorf("metadata changed:\n got  %q\n want %q\n wrapper %s", d.Metadata, meta, stored)
		}
		if d.MetadataSHA256 != sha256.Sum256(meta) || d.DataSHA256 != sha256.Sum256(e.Data) {
			t.Errorf("%q: hashes are not the SHA-256 of the exact bytes", meta)
		}
		if d.ID != e.ID || d.SchemaVersion != 3 || !d.OccurredAt.Equal(e.OccurredAt) ||
			d.OccurredAt.Location() != time.UTC || d.Cause.Actor != "user:42" || d.Cause.CommandID != "cmd-1" ||
			d.Cause.CausationID != "cause-1" || d.Cause.CorrelationID != "corr-1" || !bytes.Equal(d.RequestSHA256, fp[:]) {
			t.Errorf("%q: fields changed: %+v", meta, d)
		}
	}
}

func TestEmptyMetadataIsStoredAsEmptyObject(t *testing.T) {
	e := envelope(nil)
	stored, err := encodeMetadata(e, e.ID, metadataBytes(e.Metadata), nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := decodeMetadata(stored, e.Data)
	if err != nil {
		t.Fatal(err)
	}
	if string(d.Metadata) != "{}" || d.MetadataSHA256 != sha256.Sum256([]byte("{}")) || d.RequestSHA256 != nil {
		t.Fatalf("empty metadata came back as %q (request hash %x)", d.Metadata, d.RequestSHA256)
	}
}

func TestRawMetadataIsReadableInTheWrapper(t *testing.T) {
	e := envelope([]byte(`{"b":2,"a":1}`))
	stored, err := encodeMetadata(e, e.ID, e.Metadata, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(stored, []byte(`"metadata":{"b":2,"a":1}`)) || bytes.Contains(stored, []byte("metadata_b64")) {
		t.Fatalf("metadata without surrounding whitespace should be spliced raw: %s", stored)
	}
	padded := envelope([]byte(" {} "))
	stored, err = encodeMetadata(padded, padded.ID, padded.Metadata, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(stored, []byte(`"metadata_b64":`)) {
		t.Fatalf("padded metadata should travel as base64: %s", stored)
	}
}

func TestDecodeRefusesTamperedAndForeignMetadata(t *testing.T) {
	e := envelope([]byte(`{"a":1}`))
	stored, err := encodeMetadata(e, e.ID, e.Metadata, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ meta, data []byte }{
		"data changed":      {stored, []byte(`{"z":2}`)},
		"metadata changed":  {bytes.Replace(stored, []byte(`"metadata":{"a":1}`), []byte(`"metadata":{"a":2}`), 1), e.Data},
		"metadata re-keyed": {bytes.Replace(stored, []byte(`"metadata":{"a":1}`), []byte(`"metadata":{ "a":1}`), 1), e.Data},
		"foreign metadata":  {[]byte(`{"$correlationId":"x"}`), e.Data},
		"no metadata":       {nil, e.Data},
		"not JSON":          {[]byte(`{"docledger":1`), e.Data},
		"both forms":        {bytes.Replace(stored, []byte(`"metadata":`), []byte(`"metadata_b64":"e30=","metadata":`), 1), e.Data},
		"bad id":            {bytes.Replace(stored, []byte(e.ID.String()), []byte("not-a-uuid"), 1), e.Data},
	}
	for name, c := range cases {
		if _, err := decodeMetadata(c.meta, c.data); !errors.Is(err, ErrIntegrity) {
			t.Errorf("%s: %v, want ErrIntegrity", name, err)
		}
	}
}

func TestRecordOf(t *testing.T) {
	e := envelope([]byte(`{"k":"v"}`))
	stored, err := encodeMetadata(e, e.ID, e.Metadata, nil)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 3, 2, 10, 0, 0, 100, time.UTC)
	ev := &esdb.RecordedEvent{
		EventID:      esdbEventID("cmd-1", 0, e.ID),
		EventType:    e.Type,
		ContentType:  "application/json",
		StreamID:     "doc-1",
		EventNumber:  4,
		Position:     esdb.Position{Commit: 123456, Prepare: 120000},
		CreatedDate:  created,
		Data:         e.Data,
		UserMetadata: stored,
	}
	r, _, err := recordOf(ev)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != e.ID || r.StreamID != "doc-1" || r.StreamVersion != 5 || r.Position != 123456 ||
		r.Type != e.Type || r.SchemaVersion != 3 || !bytes.Equal(r.Data, e.Data) ||
		!bytes.Equal(r.Metadata, e.Metadata) || !r.RecordedAt.Equal(created) || !r.OccurredAt.Equal(e.OccurredAt) ||
		r.Cause.CommandID != "cmd-1" || r.Cause.RequestSHA256 != nil {
		t.Fatalf("record %+v", r)
	}
	if r.DataSHA256 != sha256.Sum256(e.Data) || r.MetadataSHA256 != sha256.Sum256(e.Metadata) {
		t.Fatal("record hashes are not the SHA-256 of the stored bytes")
	}
	ev.Position.Commit = 1 << 63
	if _, _, err := recordOf(ev); err == nil {
		t.Fatal("a commit position beyond int64 was accepted")
	}
}

func TestEventIDs(t *testing.T) {
	own := uuid.Must(uuid.NewV7())
	if got := esdbEventID("", 0, own); got != own {
		t.Fatalf("without a command the envelope's id is stored, got %s", got)
	}
	a0, a0again, a1, b0 := esdbEventID("cmd-a", 0, own), esdbEventID("cmd-a", 0, uuid.Nil), esdbEventID("cmd-a", 1, own), esdbEventID("cmd-b", 0, own)
	if a0 != a0again {
		t.Fatal("derived ids differ between attempts of one command")
	}
	if a0 == a1 || a0 == b0 || a1 == b0 || a0 == own {
		t.Fatalf("derived ids collide: %s %s %s", a0, a1, b0)
	}
	if a0.Version() != 5 {
		t.Fatalf("derived id version %d, want 5", a0.Version())
	}
	// The namespace is part of the stored data: pin one derived id.
	if want := uuid.NewSHA1(uuid.MustParse("76ee0050-458f-4e39-9f47-b371e44134cf"), []byte("cmd-a\x000")); a0 != want {
		t.Fatalf("derived id %s, want %s", a0, want)
	}
}

func TestSkipInLog(t *testing.T) {
	tests := []struct {
		stream, typ string
		skip        bool
	}{
		{"doc-1", "document.sent", false},
		{"$stats-127.0.0.1:2113", "$statsCollected", true},
		{"$$doc-1", "$metadata", true},
		{"$ce-doc", "$>", true},
		{"doc-1", "$>", true},
		{"ledger-command-cmd-1", commandRecordedType, true},
		{"ledger-commands", "x.y", false},
		{"ledger-snapshot-doc-1", snapshotType, true},
		{snapshotStream("ledger-snapshots"), snapshotType, true},
		{"ledger-snapshots", "x.y", false},
	}
	for _, tt := range tests {
		if got := skipInLog(tt.stream, tt.typ); got != tt.skip {
			t.Errorf("skipInLog(%q, %q) = %v", tt.stream, tt.typ, got)
		}
	}
}

func TestValidateReservedNames(t *testing.T) {
	good := envelope([]byte(`{}`))
	if err := validate("doc-1", eventstore.NoStream, []eventstore.Envelope{good}); err != nil {
		t.Fatalf("valid append refused: %v", err)
	}
	dollarType := good
	dollarType.Type = "$metadata"
	cases := map[string]struct {
		stream string
		evs    []eventstore.Envelope
	}{
		"system stream":  {"$all", []eventstore.Envelope{good}},
		"command stream": {"ledger-command-x", []eventstore.Envelope{good}},
		"snapshot":       {"ledger-snapshot-doc-1", []eventstore.Envelope{good}},
		"system type":    {"doc-1", []eventstore.Envelope{dollarType}},
		"empty stream":   {"", []eventstore.Envelope{good}},
		"no events":      {"doc-1", nil},
	}
	for name, c := range cases {
		if err := validate(c.stream, eventstore.Any, c.evs); !errors.Is(err, eventstore.ErrInvalidEvent) {
			t.Errorf("%s: %v, want ErrInvalidEvent", name, err)
		}
	}
}

func TestCommandRecord(t *testing.T) {
	fp := sha256.Sum256([]byte("req"))
	in := eventstore.CommandRecord{CommandID: "cmd-1", StreamID: "doc-1", RequestSHA256: fp[:],
		Result: eventstore.AppendResult{StreamVersion: 3, FirstPosition: 1000, LastPosition: 1200}}
	b, err := encodeCommandRecord(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeCommandRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Result.Duplicate = true
	if out.CommandID != want.CommandID || out.StreamID != want.StreamID || !bytes.Equal(out.RequestSHA256, want.RequestSHA256) || out.Result != want.Result {
		t.Fatalf("record round trip: %+v, want %+v", out, want)
	}
	if res, err := answerFromRecord(out, "doc-1", fp[:]); err != nil || res != want.Result {
		t.Fatalf("same command: %+v, %v", res, err)
	}
	other := sha256.Sum256([]byte("other"))
	if _, err := answerFromRecord(out, "doc-1", other[:]); !errors.Is(err, eventstore.ErrCommandReused) {
		t.Fatalf("other payload: %v", err)
	}
	if _, err := answerFromRecord(out, "doc-2", fp[:]); !errors.Is(err, eventstore.ErrCommandReused) {
		t.Fatalf("other stream: %v", err)
	}
	if _, err := decodeCommandRecord([]byte(`{"command_id":"x"}`)); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("record without a request hash: %v", err)
	}
}

func TestRequestFingerprint(t *testing.T) {
	e := envelope([]byte(`{}`))
	a := requestFingerprint("doc-1", []eventstore.Envelope{e})
	if !bytes.Equal(a, requestFingerprint("doc-1", []eventstore.Envelope{e})) {
		t.Fatal("fingerprint is not deterministic")
	}
	e2 := e
	e2.Data = []byte(`{"z":2}`)
	e3 := e
	e3.Metadata = []byte(`{"other":"metadata"}`)
	e3.ID = uuid.Nil
	switch {
	case bytes.Equal(a, requestFingerprint("doc-2", []eventstore.Envelope{e})):
		t.Fatal("fingerprint ignores the stream")
	case bytes.Equal(a, requestFingerprint("doc-1", []eventstore.Envelope{e2})):
		t.Fatal("fingerprint ignores the data")
	case !bytes.Equal(a, requestFingerprint("doc-1", []eventstore.Envelope{e3})):
		t.Fatal("fingerprint depends on metadata or event id, which differ between retries")
	}
	given := e
	given.RequestSHA256 = []byte{1, 2, 3}
	if !bytes.Equal(requestFingerprint("doc-1", []eventstore.Envelope{given}), []byte{1, 2, 3}) {
		t.Fatal("a given request hash is not used")
	}
}

func FuzzMetadataRoundTrip(f *testing.F) {
	for _, m := range metadataCases {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, meta []byte) {
		if len(meta) > 0 && !json.Valid(meta) {
			t.Skip()
		}
		e := envelope(meta)
		want := metadataBytes(meta)
		stored, err := encodeMetadata(e, e.ID, want, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := decodeMetadata(stored, e.Data)
		if err != nil {
			t.Fatalf("decode wrapper of %q: %v", meta, err)
		}
		if !bytes.Equal(d.Metadata, want) {
			t.Fatalf("metadata %q came back as %q", want, d.Metadata)
		}
	})
}
