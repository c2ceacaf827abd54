package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/httpapi"
	"docledger/adapters/pgtest"
	"docledger/cmd/internal/app"
	"docledger/domain"
	"docledger/internal/eventually"
)

const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

type server struct {
	// defaults are headers every request carries unless it overrides them.
	defaults map[string]string
	t        *testing.T
	base     string
	app      *app.App
	clock    *domain.ManualClock
	client   *http.Client // trusts the test certificate when TLS is on
}

// epoch is where every test's business clock starts: a fixed Monday
// morning in Almaty, so that no test depends on today's date.
var epoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("Asia/Almaty", 5*3600)).UTC()

func start(t *testing.T) *server {
	t.Helper()
	return startAt(t, domain.NewManualClock(epoch))
}

// startAt runs a ledgerd on its own database whose business time is clock.
func startAt(t *testing.T, clock *domain.ManualClock) *server {
	t.Helper()
	return startWith(t, clock, nil, nil)
}

// startWith is startAt with the configuration changed by configure (after
// the tests' defaults) and logs to log (nil: none below error).
//
// The tests' defaults: the admin listener on a free loopback port, and no
// rate limits (a test sends its requests as fast as it can from one
// address; the hardening tests set their own limits).
func startWith(t *testing.T, clock *domain.ManualClock, configure func(*app.Config), log *slog.Logger) *server {
	t.Helper()
	return startServer(t, clock, configure, log, testPrincipals)
}

// startServer is startWith with auth as the authenticator: testPrincipals
// (requests act as asAdmin unless they say otherwise), or nil for the real
// one, package identity's (requests carry no credentials unless they say).
func startServer(t *testing.T, clock *domain.ManualClock, configure func(*app.Config), log *slog.Logger, auth httpapi.Authenticator) *server {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("LEDGER_HTTP_ADDR", "127.0.0.1:0")
	t.Setenv("LEDGER_POLL_INTERVAL", "50ms")
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hardening.AdminAddr = "127.0.0.1:0"
	cfg.Hardening.RateIP, cfg.Hardening.RateToken, cfg.Hardening.RateLogin = 0, 0, 0
	if configure != nil {
		configure(&cfg)
	}
	if log == nil {
		log = app.NewLogger(8)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.NewWith(ctx, cfg, log, app.Deps{Clock: clock, Authenticator: auth})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ledgerd run: %v", err)
		}
		a.Close()
	})
	scheme := "http://"
	if cfg.Hardening.TLSCert != "" {
		scheme = "https://"
	}
	s := &server{t: t, base: scheme + a.Addr(), app: a, clock: clock, client: http.DefaultClient}
	if auth != nil {
		s.defaults = asAdmin
	}
	if auth == testPrincipals {
		testPrincipals.use(a.Identity)
	}
	if cfg.Hardening.TLSCert != "" {
		s.client = tlsClient(t, cfg.Hardening.TLSCert)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if code, _ := s.do("GET", "/readyz", nil, nil); code == 200 {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatal("ledgerd never became ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// do sends a request, one second of business time after the last one (so
// that what the test does happens in order, as it would on the wall clock).
func (s *server) do(method, path string, body any, header map[string]string) (int, map[string]any) {
	s.t.Helper()
	code, out, _ := s.doFull(method, path, body, header)
	return code, out
}

// doRaw sends a request without a body and returns the raw answer.
func (s *server) doRaw(method, path string) (int, []byte) {
	s.t.Helper()
	code, _, raw, _ := s.send(method, path, nil, nil)
	return code, raw
}

// doFull is do that also returns the response's headers.
func (s *server) doFull(method, path string, body any, header map[string]string) (int, map[string]any, http.Header) {
	s.t.Helper()
	code, out, _, hdr := s.send(method, path, body, header)
	return code, out, hdr
}

// send sends a request and checks the exchange against docs/openapi.yaml
// (checkAPI): a drift fails the test.
func (s *server) send(method, path string, body any, header map[string]string) (int, map[string]any, []byte, http.Header) {
	s.t.Helper()
	s.clock.Advance(time.Second)
	var reqBody []byte
	switch b := body.(type) {
	case nil:
	case string:
		reqBody = []byte(b)
	case []byte:
		reqBody = b
	default:
		reqBody, _ = json.Marshal(b)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(reqBody)
	}
	req, _ := http.NewRequest(method, s.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// The default principal (asAdmin, with the tests' authenticator); a
	// header given "" is not sent.
	for k, v := range s.defaults {
		if _, cookie := header["Cookie"]; cookie && k == "Authorization" {
			continue // a request with a cookie acts by its cookie
		}
		req.Header.Set(k, v)
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &out)
	if err := checkAPI(req, reqBody, resp.StatusCode, resp.Header, raw); err != nil {
		s.t.Errorf("openapi: %v", err)
	}
	return resp.StatusCode, out, raw, resp.Header
}

// eventCount counts the domain's events, not the staff-access log's
// (which records the default principal's reads).
func (s *server) eventCount() int {
	var n int
	if err := s.app.Pool.QueryRow(context.Background(), "SELECT count(*) FROM events WHERE event_type NOT LIKE 'access.%'").Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// The whole path: HTTP command -> bus -> aggregate -> event store ->
// projection -> HTTP query.
func TestEndToEnd(t *testing.T) {
	s := start(t)
	recipient := "IIN900101300123"
	var ids []string
	for i := 0; i < 3; i++ {
		code, body := s.do("POST", "/api/v1/documents", map[string]any{
			"sender_party": "BIN990140000123", "recipient_party": recipient, "kind": "invoice",
			"title": fmt.Sprintf("Invoice %d", i), "content_sha256": hash,
		}, map[string]string{"Idempotency-Key": fmt.Sprintf("reg-%d-%s", i, uuid.NewString())})
		if code != 201 || body["stream_version"].(float64) != 1 || body["position"].(float64) <= 0 {
			t.Fatalf("register: %d %v", code, body)
		}
		ids = append(ids, body["document_id"].(string))
	}
	if code, body := s.do("POST", "/api/v1/documents/"+ids[0]+"/send", nil, nil); code != 200 || body["stream_version"].(float64) != 2 {
		t.Fatalf("send: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/documents/"+ids[0]+"/deliver", nil, map[string]string{"If-Match": "2"}); code != 200 || body["stream_version"].(float64) != 3 {
		t.Fatalf("deliver: %d %v", code, body)
	}
	deadline := time.Now().Add(20 * time.Second)
	var inbox map[string]any
	for time.Now().Before(deadline) {
		_, inbox = s.do("GET", "/api/v1/parties/"+recipient+"/inbox?limit=2", nil, nil)
		docs, _ := inbox["documents"].([]any)
		if len(docs) == 2 && inbox["next_cursor"] != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	docs, _ := inbox["documents"].([]any)
	if len(docs) != 2 {
		t.Fatalf("inbox: %v", inbox)
	}
	_, page2 := s.do("GET", "/api/v1/parties/"+recipient+"/inbox?limit=2&cursor="+inbox["next_cursor"].(string), nil, nil)
	docs2, _ := page2["documents"].([]any)
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		_, page2 = s.do("GET", "/api/v1/parties/"+recipient+"/inbox?limit=2&cursor="+inbox["next_cursor"].(string), nil, nil)
		docs2, _ = page2["documents"].([]any)
		if len(docs2) == 1 && docs2[0].(map[string]any)["status"] == "delivered" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(docs2) != 1 || docs2[0].(map[string]any)["document_id"] != ids[0] || docs2[0].(map[string]any)["status"] != "delivered" {
		t.Fatalf("second page: %v", page2)
	}
	// The sender reads back what it registered: the document, with its
	// stream version as the ETag that If-Match takes, and its outbox.
	code, doc, hdr := s.doFull("GET", "/api/v1/documents/"+ids[0], nil, nil)
	if code != 200 || doc["status"] != "delivered" || doc["stream_version"].(float64) != 3 || doc["sender_party"] != "BIN990140000123" ||
		doc["recipient_party"] != recipient || doc["delivered_at"] == nil || hdr.Get("ETag") != `"3"` {
		t.Fatalf("get document: %d %v %v", code, doc, hdr)
	}
	if code, body := s.do("POST", "/api/v1/documents/"+ids[0]+"/deliver", nil, map[string]string{"If-Match": hdr.Get("ETag")}); code != 409 || errCode(body) != "document_already_delivered" {
		t.Fatalf("deliver again at the read version: %d %v", code, body)
	}
	// The read model may not show the second document yet: wait for its ETag.
	etag := eventually.Value(t, "the second document's ETag", func() (string, bool) {
		code, _, hdr := s.doFull("GET", "/api/v1/documents/"+ids[1], nil, nil)
		return hdr.Get("ETag"), code == 200
	})
	if code, body := s.do("POST", "/api/v1/documents/"+ids[1]+"/send", nil, map[string]string{"If-Match": etag}); code != 200 || body["stream_version"].(float64) != 2 {
		t.Fatalf("send at the read version %q: %d %v", etag, code, body)
	}
	if code, body := s.do("GET", "/api/v1/documents/"+uuid.NewString(), nil, nil); code != 404 || errCode(body) != "document_not_found" {
		t.Fatalf("unknown document: %d %v", code, body)
	}
	code, out := s.do("GET", "/api/v1/parties/BIN990140000123/outbox?limit=2", nil, nil)
	if outDocs, _ := out["documents"].([]any); code != 200 || len(outDocs) != 2 || out["next_cursor"] == nil {
		t.Fatalf("outbox: %d %v", code, out)
	}
	code, out = s.do("GET", "/api/v1/parties/BIN990140000123/outbox?limit=2&cursor="+out["next_cursor"].(string), nil, nil)
	if outDocs, _ := out["documents"].([]any); code != 200 || len(outDocs) != 1 || outDocs[0].(map[string]any)["document_id"] != ids[0] {
		t.Fatalf("outbox page 2: %d %v", code, out)
	}
	// A wrong method is 405 with Allow, in the error envelope.
	for _, c := range []struct{ method, path, allow string }{
		{"GET", "/api/v1/documents", "POST"},
		{"DELETE", "/api/v1/documents/" + ids[0], "GET, HEAD"},
		{"POST", "/api/v1/parties/" + recipient + "/inbox", "GET, HEAD"},
		{"PUT", "/api/v1/parties/" + uuid.NewString(), "GET, HEAD"},
	} {
		code, body, hdr := s.doFull(c.method, c.path, nil, nil)
		if code != 405 || errCode(body) != "method_not_allowed" || hdr.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %v Allow %q", c.method, c.path, code, body, hdr.Get("Allow"))
		}
	}
	code, raw := s.doRaw("GET", "/api/v1/openapi.yaml")
	if code != 200 || !bytes.HasPrefix(raw, []byte("openapi: 3.")) {
		t.Fatalf("openapi.yaml: %d %.40q", code, raw)
	}
	metrics := s.admin("/metrics")
	for _, m := range []string{`ledger_commands_total{command="RegisterDocument",outcome="ok"} 3`, "ledger_command_duration_seconds_bucket",
		`ledger_appends_total{outcome="ok"} 6`, "ledger_append_duration_seconds", `ledger_projection_lag_events{projection="inbox"}`,
		"ledger_watermill_handler_execution_time_seconds"} {
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

// Bad input gets a 4xx with a stable code and writes nothing.
func TestBadInput(t *testing.T) {
	s := start(t)
	good := map[string]any{"sender_party": "BIN990140000123", "recipient_party": "IIN900101300123", "kind": "invoice", "title": "t", "content_sha256": hash}
	code, body := s.do("POST", "/api/v1/documents", good, map[string]string{"Idempotency-Key": "k1"})
	if code != 201 {
		t.Fatalf("register: %d %v", code, body)
	}
	doc := body["document_id"].(string)
	before := s.eventCount()
	big := `{"sender_party":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name, method, path string
		body               any
		header             map[string]string
		status             int
		code               string
	}{
		{"malformed json", "POST", "/api/v1/documents", `{"title": `, nil, 400, "malformed_json"},
		{"not an object", "POST", "/api/v1/documents", `[1,2]`, nil, 400, "malformed_json"},
		{"trailing data", "POST", "/api/v1/documents", `{"title":"a"} {"x":1}`, nil, 400, "malformed_json"},
		{"unknown field", "POST", "/api/v1/documents", `{"title":"a","amount":5}`, nil, 400, "unknown_field"},
		{"field name in another case", "POST", "/api/v1/documents", `{"Title":"a"}`, nil, 400, "unknown_field"},
		{"null body", "POST", "/api/v1/documents", `null`, nil, 400, "malformed_json"},
		{"empty body", "POST", "/api/v1/documents", ``, nil, 400, "empty_body"},
		{"body over the limit", "POST", "/api/v1/documents", big, nil, 413, "body_too_large"},
		{"unknown command", "POST", "/api/v1/commands/LaunchRocket", `{}`, nil, 404, "unknown_command"},
		{"an operator's command", "POST", "/api/v1/commands/PublishOfferVersion", `{"offer_id":"x"}`, nil, 404, "unknown_command"},
		{"an operator's notice", "POST", "/api/v1/commands/SendAmendmentNotice", `{"offer_id":"x","version":1}`, nil, 404, "unknown_command"},
		{"missing ids", "POST", "/api/v1/commands/SendDocument", `{}`, nil, 400, "invalid_id"},
		{"bad path id", "POST", "/api/v1/documents/not-a-uuid/send", nil, nil, 400, "invalid_id"},
		{"missing party", "POST", "/api/v1/documents", map[string]any{"recipient_party": "x", "kind": "invoice", "title": "t", "content_sha256": hash}, nil, 422, "validation_failed"},
		{"unknown kind", "POST", "/api/v1/documents", map[string]any{"sender_party": "a", "recipient_party": "b", "kind": "poem", "title": "t", "content_sha256": hash}, nil, 422, "document_kind_unknown"},
		{"unknown document", "POST", "/api/v1/documents/" + uuid.NewString() + "/send", nil, nil, 404, "document_not_found"},
		{"wrong expected version", "POST", "/api/v1/documents/" + doc + "/send", nil, map[string]string{"If-Match": "7"}, 412, "wrong_expected_version"},
		{"bad if-match", "POST", "/api/v1/documents/" + doc + "/send", nil, map[string]string{"If-Match": "seven"}, 400, "invalid_if_match"},
		{"reused idempotency key", "POST", "/api/v1/documents", map[string]any{"sender_party": "BIN990140000123", "recipient_party": "IIN900101300123", "kind": "invoice", "title": "other", "content_sha256": hash}, map[string]string{"Idempotency-Key": "k1"}, 409, "idempotency_key_reused"},
		{"deliver before send", "POST", "/api/v1/documents/" + doc + "/deliver", nil, nil, 409, "document_not_sent"},
		{"bad cursor", "GET", "/api/v1/parties/IIN900101300123/inbox?cursor=zz", nil, nil, 400, "invalid_cursor"},
		{"bad limit", "GET", "/api/v1/parties/IIN900101300123/inbox?limit=0", nil, nil, 400, "invalid_limit"},
		{"no such endpoint", "GET", "/api/v1/nothing", nil, nil, 404, "not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, body := s.do(c.method, c.path, c.body, c.header)
			if code != c.status || errCode(body) != c.code {
				t.Fatalf("got %d %q (%v), want %d %q", code, errCode(body), body, c.status, c.code)
			}
			if msg := body["error"].(map[string]any)["message"]; msg == "" {
				t.Fatal("error without a message")
			}
		})
	}
	if after := s.eventCount(); after != before {
		t.Fatalf("bad requests wrote %d events", after-before)
	}
	// The same key and body again is answered from the first result.
	code, again := s.do("POST", "/api/v1/documents", good, map[string]string{"Idempotency-Key": "k1"})
	if code != 201 || again["document_id"] != doc || again["duplicate"] != true {
		t.Fatalf("idempotent retry: %d %v", code, again)
	}
	if after := s.eventCount(); after != before {
		t.Fatalf("an idempotent retry wrote %d events", after-before)
	}
}

// The generic command endpoint reaches every command the bus handles.
func TestGenericCommandEndpoint(t *testing.T) {
	s := start(t)
	id := uuid.NewString()
	code, body := s.do("POST", "/api/v1/commands/RegisterDocument", map[string]any{"document_id": id,
		"sender_party": "BIN990140000123", "recipient_party": "IIN900101300123", "kind": "letter", "title": "t", "content_sha256": hash}, nil)
	if code != 200 || body["stream_version"].(float64) != 1 {
		t.Fatalf("register: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/commands/SendDocument", map[string]any{"document_id": id}, nil); code != 200 || body["stream_version"].(float64) != 2 {
		t.Fatalf("send: %d %v", code, body)
	}
	// A party command through the same endpoint, refused by its own rules (no registration data).
	if code, body := s.do("POST", "/api/v1/commands/RegisterParty", map[string]any{"party_id": uuid.NewString()}, nil); code < 400 || code >= 500 || errCode(body) == "" {
		t.Fatalf("register party without data: %d %v", code, body)
	}
}
