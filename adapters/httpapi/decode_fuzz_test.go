package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"docledger/adapters/apierror"
)

// FuzzDecodeCommand feeds arbitrary bodies to the strict JSON decoder of
// command requests: it never panics, answers every refusal with a 4xx and a
// stable code, and accepts only a single JSON object without unknown fields.
func FuzzDecodeCommand(f *testing.F) {
	for _, seed := range []string{
		`{"sender_party":"a","recipient_party":"b","kind":"invoice","title":"t","content_sha256":"00"}`,
		`{"title": `, `[1,2]`, `{"title":"a"} {"x":1}`, `{"amount":5}`, ``, `null`, `{"document_id":"not-a-uuid"}`,
		`{"title":"\u0000"}`, `{"title":1}`, `{"tiTle":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	s := &Server{cfg: Config{MaxBody: 4096}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/v1/documents", bytes.NewReader(body))
		w := httptest.NewRecorder()
		var req registerRequest
		ok := s.decode(w, r, &req)
		if ok {
			if w.Code != http.StatusOK || w.Body.Len() != 0 {
				t.Fatalf("accepted body but answered %d", w.Code)
			}
			var generic map[string]json.RawMessage
			if err := json.Unmarshal(body, &generic); err != nil {
				t.Fatalf("accepted a body that is not one JSON object: %q", body)
			}
			for k := range generic {
				switch k {
				case "document_id", "sender_party", "recipient_party", "kind", "title", "content_sha256":
				default:
					t.Fatalf("accepted unknown field %q", k)
				}
			}
			return
		}
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("refused body answered %d", w.Code)
		}
		var e apierror.Body
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("refusal without a code and message: %s", w.Body.String())
		}
	})
}
