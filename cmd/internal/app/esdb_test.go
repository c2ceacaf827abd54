package app_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
)

// ledgerd on EventStoreDB: commands append to the node of EVENTSTORE_URL,
// the projections read its $all into PostgreSQL, and PostgreSQL's events
// table stays empty. It needs a live node, so without EVENTSTORE_URL it
// skips (docs/eventstoredb.md says how to start one); use a node that holds
// only docledger's events.
func TestEndToEndOnEventStoreDB(t *testing.T) {
	url := os.Getenv("EVENTSTORE_URL")
	if url == "" {
		t.Skip("EVENTSTORE_URL not set: no EventStoreDB/KurrentDB node to run ledgerd on")
	}
	t.Setenv("LEDGER_EVENT_STORE", "eventstoredb")
	s := start(t)
	recipient := "IIN900101300123"
	code, body := s.do("POST", "/api/v1/documents", map[string]any{
		"sender_party": "BIN990140000123", "recipient_party": recipient, "kind": "invoice",
		"title": "On EventStoreDB", "content_sha256": hash,
	}, map[string]string{"Idempotency-Key": "esdb-" + uuid.NewString()})
	if code != 201 || body["stream_version"].(float64) != 1 {
		t.Fatalf("register: %d %v", code, body)
	}
	id := body["document_id"].(string)
	if code, body := s.do("POST", "/api/v1/documents/"+id+"/send", nil, nil); code != 200 || body["stream_version"].(float64) != 2 {
		t.Fatalf("send: %d %v", code, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, inbox := s.do("GET", "/api/v1/parties/"+recipient+"/inbox?limit=100", nil, nil)
		docs, _ := inbox["documents"].([]any)
		found := false
		for _, d := range docs {
			if d.(map[string]any)["document_id"] == id {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox projection never showed document %s: %v", id, inbox)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := s.eventCount(); n != 0 {
		t.Fatalf("PostgreSQL's events table has %d events; they belong in EventStoreDB", n)
	}
}
