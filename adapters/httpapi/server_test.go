package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/commands"
	"docledger/query"
)

// fakeBus refuses every command: these tests exercise routing and reads.
type fakeBus struct{}

func (fakeBus) Send(context.Context, commands.Meta, commands.Command) (commands.Result, error) {
	return commands.Result{}, commands.ErrUnknownCommand
}

func (fakeBus) NewCommand(string) (commands.Command, bool) { return nil, false }

// fakeReads knows one document.
type fakeReads struct {
	doc query.Document
}

func (f fakeReads) Inbox(context.Context, string, string, int) (query.InboxPage, error) {
	return query.InboxPage{Documents: []query.Document{f.doc}}, nil
}

func (f fakeReads) Outbox(_ context.Context, party, _ string, _ int) (query.DocumentPage, error) {
	if party != f.doc.SenderParty {
		return query.DocumentPage{Documents: []query.Document{}}, nil
	}
	return query.DocumentPage{Documents: []query.Document{f.doc}}, nil
}

func (f fakeReads) Document(_ context.Context, id uuid.UUID) (query.Document, error) {
	if id != f.doc.DocumentID {
		return query.Document{}, query.ErrDocumentNotFound
	}
	return f.doc, nil
}

func (fakeReads) OfferVersions(context.Context, string) ([]query.OfferVersion, error) {
	return nil, query.ErrOfferNotFound
}

func (fakeReads) Party(context.Context, uuid.UUID) (query.Party, error) {
	return query.Party{}, query.ErrPartyNotFound
}

func (fakeReads) AcceptanceProof(context.Context, uuid.UUID) (query.AcceptanceProof, error) {
	return query.AcceptanceProof{}, query.ErrPartyNotFound
}

func (fakeReads) OfferAt(context.Context, uuid.UUID, time.Time) (query.InForce, error) {
	return query.InForce{}, query.ErrPartyNotFound
}

func (fakeReads) TermsEnding(context.Context, time.Time, time.Time, int) ([]query.Term, error) {
	return nil, nil
}

func newTestServer(t *testing.T, logs *bytes.Buffer, accessLog bool) (*Server, query.Document) {
	t.Helper()
	doc := query.Document{DocumentID: uuid.New(), SenderParty: "BIN990140000123", RecipientParty: "IIN900101300123",
		Kind: "invoice", Title: "Invoice 1", ContentSHA256: strings.Repeat("a", 64), Status: "sent",
		RegisteredAt: time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC), StreamVersion: 2, Position: 7}
	s, err := New(Config{Bus: fakeBus{}, Reads: fakeReads{doc: doc}, AccessLog: accessLog, OpenAPI: []byte("openapi: 3.0.3\n"),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Authenticator: bearerAuth{}, Policy: allowAll{}})
	if err != nil {
		t.Fatal(err)
	}
	return s, doc
}

// bearerAuth: "Bearer u" is a user, no header anonymous, anything else refused.
type bearerAuth struct{}

func (bearerAuth) Authenticate(r *http.Request) (policy.Principal, error) {
	switch r.Header.Get("Authorization") {
	case "":
		return policy.Principal{Kind: policy.Anonymous}, nil
	case "Bearer u":
		return policy.Principal{Kind: policy.User, IIN: "900101300123"}, nil
	case "Bearer v":
		return policy.Principal{Kind: policy.User, IIN: "900101300124"}, nil
	}
	return policy.Principal{}, policy.ErrUnauthenticated
}

// allowAll lets every authenticated principal do anything: these tests
// exercise the edge; the policy has its own.
type allowAll struct{}

func (allowAll) Decide(_ context.Context, p policy.Principal, a policy.Action, _ policy.Resource) error {
	if a != policy.Public && p.Kind == policy.Anonymous {
		return policy.ErrUnauthenticated
	}
	return nil
}

func serve(s *Server, method, target string) *httptest.ResponseRecorder {
	return serveAs(s, "u", method, target)
}

func serveAs(s *Server, token, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, target, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	s.ServeHTTP(rec, req)
	return rec
}

func errorCode(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Message == "" {
		t.Fatalf("not the error envelope: %q (%v)", rec.Body.String(), err)
	}
	return body.Error.Code
}

// A method a served path does not take is 405 with Allow, in the error
// envelope; a path nothing serves is 404.
func TestWrongMethodIs405(t *testing.T) {
	s, doc := newTestServer(t, &bytes.Buffer{}, false)
	id := doc.DocumentID.String()
	cases := []struct{ method, path, allow string }{
		{"GET", "/api/v1/documents", "POST"},
		{"DELETE", "/api/v1/documents/" + id, "GET, HEAD"},
		{"PUT", "/api/v1/documents/" + id, "GET, HEAD"},
		{"GET", "/api/v1/documents/" + id + "/send", "POST"},
		{"POST", "/api/v1/parties/" + id + "/inbox", "GET, HEAD"},
		{"POST", "/api/v1/parties/" + id + "/outbox", "GET, HEAD"},
		{"PATCH", "/api/v1/parties/" + id, "GET, HEAD"},
		{"POST", "/api/v1/offers/o-1", "GET, HEAD"},
		{"GET", "/api/v1/parties", "POST"},
		{"GET", "/api/v1/commands/SendDocument", "POST"},
		{"POST", "/healthz", "GET, HEAD"},
		{"DELETE", "/api/v1/openapi.yaml", "GET, HEAD"},
	}
	for _, c := range cases {
		rec := serve(s, c.method, c.path)
		if rec.Code != http.StatusMethodNotAllowed || errorCode(t, rec) != "method_not_allowed" {
			t.Errorf("%s %s: %d %s", c.method, c.path, rec.Code, rec.Body)
			continue
		}
		if got := rec.Header().Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
	for _, path := range []string{"/api/v1/nothing", "/", "/api/v1/documents/" + id + "/shred"} {
		if rec := serve(s, "GET", path); rec.Code != http.StatusNotFound || errorCode(t, rec) != "not_found" {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
	}
}

// A document reads back with its stream version as the ETag.
func TestGetDocument(t *testing.T) {
	s, doc := newTestServer(t, &bytes.Buffer{}, false)
	rec := serve(s, "GET", "/api/v1/documents/"+doc.DocumentID.String())
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("%d ETag %q: %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	var got query.Document
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.DocumentID != doc.DocumentID || got.StreamVersion != 2 {
		t.Fatalf("%v %+v", err, got)
	}
	if rec := serve(s, "GET", "/api/v1/documents/"+uuid.NewString()); rec.Code != http.StatusNotFound || errorCode(t, rec) != "document_not_found" {
		t.Fatalf("unknown document: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(s, "GET", "/api/v1/documents/x"); rec.Code != http.StatusBadRequest || errorCode(t, rec) != "invalid_id" {
		t.Fatalf("bad id: %d %s", rec.Code, rec.Body)
	}
	if rec := serve(s, "GET", "/api/v1/parties/"+doc.SenderParty+"/outbox?limit=501"); rec.Code != http.StatusBadRequest || errorCode(t, rec) != "invalid_limit" {
		t.Fatalf("outbox limit: %d %s", rec.Code, rec.Body)
	}
	rec = serve(s, "GET", "/api/v1/parties/"+doc.SenderParty+"/outbox")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), doc.DocumentID.String()) {
		t.Fatalf("outbox: %d %s", rec.Code, rec.Body)
	}
}

func TestServesOpenAPI(t *testing.T) {
	s, _ := newTestServer(t, &bytes.Buffer{}, false)
	rec := serve(s, "GET", "/api/v1/openapi.yaml")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/yaml" || rec.Body.String() != "openapi: 3.0.3\n" {
		t.Fatalf("%d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

// Every request leaves one info line with its method, path, status,
// duration and correlation id; the query string (which may carry a token)
// is not logged.
func TestAccessLog(t *testing.T) {
	var logs bytes.Buffer
	s, doc := newTestServer(t, &logs, true)
	req := httptest.NewRequest("GET", "/api/v1/parties/"+doc.SenderParty+"/outbox?limit=5&token=s3cr3t", nil)
	req.Header.Set("X-Correlation-ID", "corr-42")
	req.Header.Set("Authorization", "Bearer u")
	s.ServeHTTP(httptest.NewRecorder(), req)
	serve(s, "DELETE", "/api/v1/documents")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", logs.String())
	}
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Fatalf("the query string was logged: %s", logs.String())
	}
	var line struct {
		Level, Msg, Method, Path string
		Status                   int
		DurationMS               *float64 `json:"duration_ms"`
		CorrelationID            string   `json:"correlation_id"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatal(err)
	}
	if line.Level != "INFO" || line.Msg != "http request" || line.Method != "GET" || line.Path != "/api/v1/parties/"+doc.SenderParty+"/outbox" ||
		line.Status != 200 || line.DurationMS == nil || *line.DurationMS < 0 || line.CorrelationID != "corr-42" {
		t.Fatalf("access line %s", lines[0])
	}
	if err := json.Unmarshal([]byte(lines[1]), &line); err != nil || line.Status != 405 || line.Method != "DELETE" || line.CorrelationID == "" {
		t.Fatalf("access line %s (%v)", lines[1], err)
	}

	logs.Reset()
	quiet, _ := newTestServer(t, &logs, false)
	serve(quiet, "GET", "/healthz")
	if logs.Len() != 0 {
		t.Fatalf("access log off still logs: %s", logs.String())
	}
}

// Without credentials a route that is not public is 401; public ones answer;
// bad credentials are 401 everywhere.
func TestAuthentication(t *testing.T) {
	s, doc := newTestServer(t, &bytes.Buffer{}, false)
	if rec := serveAs(s, "", "GET", "/api/v1/documents/"+doc.DocumentID.String()); rec.Code != 401 || errorCode(t, rec) != "unauthenticated" {
		t.Fatalf("anonymous: %d %s", rec.Code, rec.Body)
	}
	if rec := serveAs(s, "", "GET", "/healthz"); rec.Code != 200 {
		t.Fatalf("healthz: %d %s", rec.Code, rec.Body)
	}
	if rec := serveAs(s, "forged", "GET", "/api/v1/documents/"+doc.DocumentID.String()); rec.Code != 401 {
		t.Fatalf("bad token: %d %s", rec.Code, rec.Body)
	}
	if rec := serveAs(s, "forged", "GET", "/healthz"); rec.Code != 200 {
		t.Fatalf("bad token on a public route: %d %s", rec.Code, rec.Body)
	}
}

// A route registered without a rule fails the construction of the server.
func TestRouteWithoutRuleFails(t *testing.T) {
	_, err := New(Config{Bus: fakeBus{}, Reads: fakeReads{}, Authenticator: bearerAuth{}, Policy: allowAll{},
		Mount: func(route MountFunc) { route("GET /api/v1/secret", Rule{}, http.NotFoundHandler()) }})
	if err == nil || !strings.Contains(err.Error(), "no rule") {
		t.Fatalf("New: %v", err)
	}
	if _, err := New(Config{Bus: fakeBus{}, Reads: fakeReads{}, Policy: allowAll{}}); err == nil {
		t.Fatal("New without an authenticator")
	}
}

// recordingBus remembers the meta of the commands it is sent.
type recordingBus struct{ metas *[]commands.Meta }

func (b recordingBus) Send(_ context.Context, m commands.Meta, _ commands.Command) (commands.Result, error) {
	*b.metas = append(*b.metas, m)
	return commands.Result{StreamID: "document-x", StreamVersion: 2}, nil
}

func (recordingBus) NewCommand(string) (commands.Command, bool) { return nil, false }

// The actor is the authenticated principal, whatever X-Ledger-Actor says;
// the command id is the idempotency key scoped to the principal.
func TestActorAndKeyScope(t *testing.T) {
	var metas []commands.Meta
	s, err := New(Config{Bus: recordingBus{&metas}, Reads: fakeReads{}, Authenticator: bearerAuth{}, Policy: allowAll{}})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	for _, tok := range []string{"u", "u", "v"} {
		req := httptest.NewRequest("POST", "/api/v1/documents/"+id+"/send", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("X-Ledger-Actor", "user:000000000000")
		req.Header.Set("Idempotency-Key", "k-1")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get("Idempotency-Key") != "k-1" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
	if metas[0].Actor != "user:900101300123" || metas[2].Actor != "user:900101300124" {
		t.Fatalf("actors %q %q", metas[0].Actor, metas[2].Actor)
	}
	if metas[0].CommandID != metas[1].CommandID || metas[0].CommandID == metas[2].CommandID || !strings.HasSuffix(metas[0].CommandID, ":k-1") {
		t.Fatalf("command ids %q %q %q", metas[0].CommandID, metas[1].CommandID, metas[2].CommandID)
	}
}
