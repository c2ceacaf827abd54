package pgstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"docledger/adapters/pgstore"
	"docledger/adapters/pgtest"
	"docledger/eventstore"
)

var benchData = []byte(`{"document_id":"0192f1d2-7c4e-7a35-9b1a-6f2c8e4d1a10","sender_party":"BIN990140000123","recipient_party":"IIN900101300123","kind":"invoice","title":"Invoice No. 1 for October 2026","content_sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","registered_at":"2026-10-31T09:15:00Z"}`)

// BenchmarkAppend appends single events, 32 writers on their own streams.
// (ledgerctl bench append compares this with raw INSERTs.)
func BenchmarkAppend(b *testing.B) {
	pool, _ := pgtest.NewPool(b)
	s := pgstore.New(pool, pgstore.Options{})
	b.Cleanup(s.Close)
	var writer atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		stream := fmt.Sprintf("bench-%d", writer.Add(1))
		v := int64(0)
		for pb.Next() {
			_, err := s.Append(context.Background(), stream, eventstore.ExpectedVersion(v), eventstore.Envelope{
				ID: uuid.Must(uuid.NewV7()), Type: "document.registered", SchemaVersion: 2, Data: benchData,
				Metadata: []byte(`{}`), OccurredAt: at, Cause: eventstore.Cause{Actor: "bench"}})
			if err != nil {
				b.Fatal(err)
			}
			v++
		}
	})
}
