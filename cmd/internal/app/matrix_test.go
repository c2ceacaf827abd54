package app_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/domain/event"
	"docledger/domain/party"
	"docledger/domain/profile"
	"docledger/eventstore"
)

// The tenant-isolation matrix: every route of the router's table × every
// kind of principal, against a real ledgerd on PostgreSQL, with an expected
// answer for each: 401 without (valid) credentials, 403 or 404 and none of
// the party's data where the principal has no right, an answer of the
// handler (2xx, or a refusal of the domain) where it has. A route added
// without a case here fails the test.
const (
	binA, binB, binC = "111140000011", "222240000022", "333340000033"
	iinHeadA         = "800101300101"
	iinEmployeeA     = "800101300102" // a power of attorney to accept offers, not to sign documents
	iinHeadC         = "800101300301"
	iinArbiter       = "800101300901"
)

var (
	partyA = uuid.MustParse("0196a000-0000-7000-8000-00000000000a")
	partyB = uuid.MustParse("0196a000-0000-7000-8000-00000000000b")
	partyC = uuid.MustParse("0196a000-0000-7000-8000-00000000000c")
)

// who is one principal of the matrix: the headers it sends.
type who struct {
	name    string
	headers map[string]string
}

// expectation classes of a route: which principals it allows.
type allow func(w string) bool

func TestTenantIsolationMatrix(t *testing.T) {
	s := start(t)
	seedParties(t, s)
	// Documents of A to B: d1 stays registered, d2 is delivered.
	var docs []string
	for i := range 3 {
		code, body := s.do("POST", "/api/v1/documents", map[string]any{"sender_party": "BIN" + binA, "recipient_party": "BIN" + binB,
			"kind": "invoice", "title": fmt.Sprintf("A to B %d", i), "content_sha256": hash}, nil)
		if code != 201 {
			t.Fatalf("seed document: %d %v", code, body)
		}
		docs = append(docs, body["document_id"].(string))
	}
	d1, d2 := docs[0], docs[1]
	for _, step := range []string{"send", "deliver"} {
		if code, body := s.do("POST", "/api/v1/documents/"+d2+"/"+step, nil, nil); code != 200 {
			t.Fatalf("%s: %d %v", step, code, body)
		}
	}
	if _, err := s.app.Pool.Exec(context.Background(), `INSERT INTO arbiter_grants (arbiter_iin, party_id, granted_by, granted_at, reason)
		VALUES ($1, $2, 'staff:administrator:800101300019', now(), 'case 1')`, iinArbiter, partyA); err != nil {
		t.Fatal(err)
	}
	s.caughtUp("parties")
	s.caughtUp("inbox")

	principals := matrixPrincipals()
	// Every route of the table, with a request on party A's data and who
	// may make it.
	personOfA := func(w string) bool { return w == "head A" || w == "employee A" }
	readerOfA := func(w string) bool {
		return personOfA(w) || w == "token A read" || w == "arbiter granted +purpose" ||
			strings.HasPrefix(w, "staff ") && strings.HasSuffix(w, "+purpose") && !strings.Contains(w, "arbiter")
	}
	admin := func(w string) bool { return w == "staff administrator +purpose" }
	type req struct {
		method, path string
		body         any
		may          allow
	}
	// credentialOnly routes act on the credential the request carries, not
	// on a party's data (logout): anonymous is refused 401; anyone else may
	// get any answer that is not a failure of the server and names nothing
	// private.
	credentialOnly := map[string]bool{"POST /api/v1/auth/logout": true}
	anyone := func(string) bool { return true }
	authenticated := func(w string) bool { return w != "anonymous" && w != "bad token" }
	cases := map[string]req{
		"POST /api/v1/documents": {"POST", "/api/v1/documents", map[string]any{"sender_party": "BIN" + binA, "recipient_party": "BIN" + binB,
			"kind": "invoice", "title": "by the matrix", "content_sha256": hash}, func(w string) bool { return w == "head A" || admin(w) }},
		"POST /api/v1/documents/{id}/send":    {"POST", "/api/v1/documents/" + d1 + "/send", nil, func(w string) bool { return w == "head A" || admin(w) }},
		"POST /api/v1/documents/{id}/deliver": {"POST", "/api/v1/documents/" + d1 + "/deliver", nil, admin}, // B's act; B is not in the matrix
		"POST /api/v1/commands/{type}": {"POST", "/api/v1/commands/SendDocument", map[string]any{"document_id": d1},
			func(w string) bool { return w == "head A" || admin(w) }},
		"GET /api/v1/documents/{id}":      {"GET", "/api/v1/documents/" + d1, nil, readerOfA},
		"GET /api/v1/parties/{id}/inbox":  {"GET", "/api/v1/parties/BIN" + binA + "/inbox", nil, readerOfA},
		"GET /api/v1/parties/{id}/outbox": {"GET", "/api/v1/parties/BIN" + binA + "/outbox", nil, readerOfA},
		"POST /api/v1/arbiter-grants": {"POST", "/api/v1/arbiter-grants", map[string]any{"arbiter_iin": iinArbiter, "party_id": partyA,
			"reason": "case 1"}, admin},
		"GET /api/v1/openapi.yaml": {"GET", "/api/v1/openapi.yaml", nil, anyone},
		"GET /healthz":             {"GET", "/healthz", nil, anyone},
		"GET /readyz":              {"GET", "/readyz", nil, anyone},
		"/api/v1/auth/eds/":        {"POST", "/api/v1/auth/eds/nonce", nil, anyone},
		"POST /api/v1/offers/{id}/versions": {"POST", "/api/v1/offers/matrix-offer/versions", map[string]any{"profile": "nosuch.v1",
			"texts": []map[string]string{{"language": "ru", "sha256": hash}}, "effective_at": "2026-04-01T00:00:00Z"},
			func(w string) bool { return strings.HasPrefix(w, "staff administrator") }},
		"POST /api/v1/offers/{id}/versions/{n}/withdraw": {"POST", "/api/v1/offers/matrix-offer/versions/9/withdraw", map[string]any{"reason": "x"},
			func(w string) bool { return strings.HasPrefix(w, "staff administrator") }},
		"POST /api/v1/offers/{id}/versions/{n}/notices": {"POST", "/api/v1/offers/matrix-offer/versions/9/notices",
			map[string]any{"channel": "email", "recipients": "all"}, func(w string) bool { return strings.HasPrefix(w, "staff administrator") }},
		"GET /api/v1/offers/{id}": {"GET", "/api/v1/offers/matrix-offer", nil, authenticated},
		"POST /api/v1/parties": {"POST", "/api/v1/parties", map[string]any{"profile": "idocs.v1", "kind": "legal_entity",
			"identity_number": binA, "names": map[string]any{"full": "ТОО «Матрица»"}, "contacts": map[string]any{"email": "m@test.kz"}},
			func(w string) bool { return personOfA(w) || w == "user C" || admin(w) }},
		"POST /api/v1/parties/{id}/stages":    {"POST", pa("stages"), map[string]any{"stage": "no-such-stage"}, headOrAdmin},
		"POST /api/v1/parties/{id}/org-units": {"POST", pa("org-units"), map[string]any{"unit_id": "", "kind": "none", "name": ""}, headOrAdmin},
		"POST /api/v1/parties/{id}/requisites": {"POST", pa("requisites"), map[string]any{"contacts": map[string]any{"email": "matrix@test.kz"},
			"changed_on": "2026-03-02"},
			headOrAdmin},
		"POST /api/v1/parties/{id}/compromise-reports": {"POST", pa("compromise-reports"), map[string]any{"user_iin": "800101300999",
			"credential": "password"}, headOrAdmin},
		"POST /api/v1/parties/{id}/termination": {"POST", pa("termination"), map[string]any{"by": "nobody", "by_iin": iinHeadA, "reason": "x"}, headOrAdmin},
		"POST /api/v1/parties/{id}/users":       {"POST", pa("users"), map[string]any{"iin": "123", "name": "X", "role": "employee"}, headOrAdmin},
		"POST /api/v1/parties/{id}/certificates": {"POST", pa("certificates"), map[string]any{"user_iin": "800101300999", "serial": "01",
			"issuer": "CN=x", "key_usage": []string{"sign"}, "not_before": "2026-01-01T00:00:00Z", "not_after": "2025-01-01T00:00:00Z"}, headOrAdmin},
		"POST /api/v1/parties/{id}/users/{iin}/remove": {"POST", pa("users/800101300999/remove"), nil, headOrAdmin},
		"POST /api/v1/parties/{id}/acceptances": {"POST", pa("acceptances"), map[string]any{"offer_id": "matrix-offer", "version": 1,
			"trigger": "first_payment", "by_iin": iinHeadA}, func(w string) bool { return personOfA(w) || admin(w) }},
		"POST /api/v1/parties/{id}/tariff-acceptances": {"POST", pa("tariff-acceptances"), map[string]any{"tariff": "", "by_iin": iinHeadA},
			func(w string) bool { return personOfA(w) || admin(w) }},
		"POST /api/v1/parties/{id}/amendment-objections": {"POST", pa("amendment-objections"), map[string]any{"offer_id": "matrix-offer",
			"version": 9, "by_iin": iinHeadA}, func(w string) bool { return personOfA(w) || admin(w) }},
		"GET /api/v1/parties/terms-ending": {"GET", "/api/v1/parties/terms-ending?before=2030-01-01T00:00:00Z", nil,
			func(w string) bool {
				return strings.HasPrefix(w, "staff ") && strings.HasSuffix(w, "+purpose") && !strings.Contains(w, "arbiter")
			}},
		"POST /api/v1/auth/logout":       {"POST", "/api/v1/auth/logout", nil, authenticated},
		"GET /api/v1/auth/oidc/start":    {"GET", "/api/v1/auth/oidc/start", nil, anyone},
		"GET /api/v1/auth/oidc/callback": {"GET", "/api/v1/auth/oidc/callback?code=x&state=y", nil, anyone},
		"POST /api/v1/parties/{id}/api-tokens": {"POST", pa("api-tokens"), map[string]any{"name": "matrix", "scopes": []string{"read"}},
			headOrAdmin},
		"GET /api/v1/parties/{id}/api-tokens":               {"GET", pa("api-tokens"), nil, headOrAdmin},
		"DELETE /api/v1/parties/{id}/api-tokens/{token_id}": {"DELETE", pa("api-tokens/" + uuid.NewString()), nil, headOrAdmin},
		"GET /api/v1/parties/{id}":                          {"GET", pa(""), nil, readerOfA},
		"GET /api/v1/parties/{id}/acceptance-proof":         {"GET", pa("acceptance-proof"), nil, readerOfA},
		"GET /api/v1/parties/{id}/offer-at":                 {"GET", pa("offer-at") + "?t=2026-03-02T10:00:00Z", nil, readerOfA},
	}
	private := []string{binA, iinHeadA, iinEmployeeA, d1, d2, "A to B"}
	var total, leaks, wrongRefusals int
	routes := s.app.API.Routes()
	if len(routes) < 30 {
		t.Fatalf("the route table has %d routes", len(routes))
	}
	for _, rt := range routes {
		c, ok := cases[rt.Pattern]
		if !ok {
			t.Errorf("route %q has no case in the tenant-isolation matrix: add one", rt.Pattern)
			continue
		}
		for _, p := range principals {
			total++
			h := map[string]string{"Idempotency-Key": fmt.Sprintf("matrix-%d", total)}
			for k, v := range p.headers {
				h[k] = v
			}
			code, _, raw, _ := s.send(c.method, c.path, c.body, h)
			public := c.may("anonymous")
			switch {
			case credentialOnly[rt.Pattern] && p.name != "anonymous" && p.name != "bad token":
				if code >= 500 || slices.ContainsFunc(private, func(v string) bool { return strings.Contains(string(raw), v) }) {
					leaks++
					t.Errorf("LEAK %s %s as %s: %d: %.200s", c.method, c.path, p.name, code, raw)
				}
			case !public && (p.name == "anonymous" || p.name == "bad token"):
				if code != 401 {
					leaks++
					t.Errorf("LEAK %s %s as %s: %d, want 401: %.200s", c.method, c.path, p.name, code, raw)
				}
			case c.may(p.name):
				if code == 401 || code == 403 || code == 404 && strings.Contains(string(raw), `"code":"not_found"`) {
					wrongRefusals++
					t.Errorf("%s %s as %s: refused %d, the policy should allow it: %.200s", c.method, c.path, p.name, code, raw)
				}
			default:
				if code != 403 && code != 404 {
					leaks++
					t.Errorf("LEAK %s %s as %s: %d, want 403 or 404: %.200s", c.method, c.path, p.name, code, raw)
				} else if i := slices.IndexFunc(private, func(v string) bool { return strings.Contains(string(raw), v) }); i >= 0 {
					leaks++
					t.Errorf("LEAK %s %s as %s: the refusal names %q: %s", c.method, c.path, p.name, private[i], raw)
				}
			}
		}
	}
	for pattern := range cases {
		if !hasRoute(s, pattern) {
			t.Errorf("matrix case %q names no route", pattern)
		}
	}
	t.Logf("tenant-isolation matrix: %d routes × %d principals = %d cases, %d leaks, %d wrong refusals",
		len(routes), len(principals), total, leaks, wrongRefusals)
}

func hasRoute(s *server, pattern string) bool {
	for _, r := range s.app.API.Routes() {
		if r.Pattern == pattern {
			return true
		}
	}
	return false
}

func headOrAdmin(w string) bool { return w == "head A" || w == "staff administrator +purpose" }

// pa is a path under party A.
func pa(rest string) string {
	if rest == "" {
		return "/api/v1/parties/" + partyA.String()
	}
	return "/api/v1/parties/" + partyA.String() + "/" + rest
}

// matrixPrincipals registers the matrix's principals with the test
// authenticator and returns them with their headers.
func matrixPrincipals() []who {
	add := func(name string, p policy.Principal) {
		testPrincipals.add("m-"+strings.ReplaceAll(name, " ", "-"), p)
	}
	bearer := func(name string) string { return "Bearer test-m-" + strings.ReplaceAll(name, " ", "-") }
	ws := []who{
		{"anonymous", map[string]string{"Authorization": "", "X-Purpose": ""}},
		{"bad token", map[string]string{"Authorization": "Bearer forged", "X-Purpose": ""}},
	}
	clients := []struct {
		name string
		p    policy.Principal
	}{
		{"user C", policy.Principal{Kind: policy.User, IIN: iinHeadC}},
		{"employee A", policy.Principal{Kind: policy.User, IIN: iinEmployeeA}},
		{"head A", policy.Principal{Kind: policy.User, IIN: iinHeadA}},
		{"token A read", policy.Principal{Kind: policy.Token, PartyID: partyA, Scopes: []policy.Scope{policy.ScopeRead}}},
		{"token C", policy.Principal{Kind: policy.Token, PartyID: partyC, Scopes: []policy.Scope{policy.ScopeRead, policy.ScopeSendDocuments, policy.ScopeBilling}}},
	}
	for _, c := range clients {
		add(c.name, c.p)
		ws = append(ws, who{c.name, map[string]string{"Authorization": bearer(c.name), "X-Purpose": ""}})
	}
	for _, r := range []policy.StaffRole{policy.Support, policy.Billing, policy.Enforcement, policy.Arbiter, policy.Auditor, policy.Administrator} {
		name := "staff " + string(r)
		add(name, policy.Principal{Kind: policy.Staff, Staff: r, IIN: "800101300800"})
		ws = append(ws, who{name + " +purpose", map[string]string{"Authorization": bearer(name), "X-Purpose": "ticket 42"}},
			who{name + " no purpose", map[string]string{"Authorization": bearer(name), "X-Purpose": ""}})
	}
	add("arbiter granted", policy.Principal{Kind: policy.Staff, Staff: policy.Arbiter, IIN: iinArbiter})
	ws = append(ws, who{"arbiter granted +purpose", map[string]string{"Authorization": bearer("arbiter granted"), "X-Purpose": "case 1"}},
		who{"arbiter granted no purpose", map[string]string{"Authorization": bearer("arbiter granted"), "X-Purpose": ""}})
	return ws
}

// seedParties appends the parties' events: A (head, employee), B, C (head).
func seedParties(t *testing.T, s *server) {
	t.Helper()
	now := s.clock.Now().UTC()
	idocs := profile.Ref{ID: "idocs", Version: 1}
	put := func(id uuid.UUID, ps ...event.Payload) {
		var envs []eventstore.Envelope
		for _, p := range ps {
			env, err := eventstore.Encode(s.app.Events, p)
			if err != nil {
				t.Fatal(err)
			}
			env.OccurredAt, env.Actor = now, "test"
			envs = append(envs, env)
		}
		if _, err := s.app.Store.Append(context.Background(), party.StreamID(id), eventstore.NoStream, envs...); err != nil {
			t.Fatal(err)
		}
	}
	reg := func(id uuid.UUID, bin, name string) party.Registered {
		return party.Registered{PartyID: id, Kind: party.KindLegalEntity, IdentityNumber: bin, Resident: true, Names: party.Names{Full: name},
			Profile: idocs, Stage: "registration", RegisteredAt: now}
	}
	put(partyA, reg(partyA, binA, "ТОО «А»"),
		party.UserAdded{PartyID: partyA, UserIIN: iinHeadA, Name: "Head A", Role: party.RoleFirstHead, AddedAt: now},
		party.UserAdded{PartyID: partyA, UserIIN: iinEmployeeA, Name: "Employee A", Role: party.RoleEmployee, AddedAt: now,
			PowerOfAttorney: &party.PowerOfAttorney{Number: "POA-A", Scope: []string{party.ScopeAcceptOffer}, ValidFrom: now.Add(-time.Hour),
				ValidUntil: now.AddDate(1, 0, 0)}})
	put(partyB, reg(partyB, binB, "ТОО «Б»"))
	put(partyC, reg(partyC, binC, "ТОО «В»"),
		party.UserAdded{PartyID: partyC, UserIIN: iinHeadC, Name: "Head C", Role: party.RoleFirstHead, AddedAt: now})
}

// Another party's cursors and ids reveal nothing: A's cursor on C's outbox
// gives C's documents only, on A's outbox it is still A's (404 to C); an
// idempotency key A used, reused by C, replays nothing of A's.
func TestCursorsAndKeysOfAnotherParty(t *testing.T) {
	s := start(t)
	seedParties(t, s)
	matrixPrincipals()
	headA := map[string]string{"Authorization": "Bearer test-m-head-A", "X-Purpose": ""}
	userC := map[string]string{"Authorization": "Bearer test-m-user-C", "X-Purpose": ""}
	s.caughtUp("parties")
	var idsA []string
	for i := range 3 {
		code, body := s.do("POST", "/api/v1/documents", map[string]any{"sender_party": "BIN" + binA, "recipient_party": "BIN" + binB,
			"kind": "invoice", "title": fmt.Sprintf("A secret %d", i), "content_sha256": hash}, with(headA, "Idempotency-Key", fmt.Sprintf("k-%d", i)))
		if code != 201 {
			t.Fatalf("A registers: %d %v", code, body)
		}
		idsA = append(idsA, body["document_id"].(string))
	}
	// C reuses A's key: its own document, not A's result.
	code, body := s.do("POST", "/api/v1/documents", map[string]any{"sender_party": "BIN" + binC, "recipient_party": "BIN" + binB,
		"kind": "invoice", "title": "C's", "content_sha256": hash}, with(userC, "Idempotency-Key", "k-0"))
	if code != 201 || body["duplicate"] == true || slices.Contains(idsA, body["document_id"].(string)) {
		t.Fatalf("C's reuse of A's key: %d %v", code, body)
	}
	idC := body["document_id"].(string)
	s.caughtUp("inbox")
	code, page := s.do("GET", "/api/v1/parties/BIN"+binA+"/outbox?limit=1", nil, headA)
	cursor, _ := page["next_cursor"].(string)
	if code != 200 || cursor == "" {
		t.Fatalf("A's outbox: %d %v", code, page)
	}
	check := func(path string, want int) {
		t.Helper()
		code, _, raw, _ := s.send("GET", path, nil, userC)
		if code != want {
			t.Errorf("GET %s as C: %d, want %d: %s", path, code, want, raw)
		}
		for _, id := range idsA {
			if strings.Contains(string(raw), id) || strings.Contains(string(raw), "A secret") {
				t.Errorf("GET %s as C reveals A's document: %s", path, raw)
			}
		}
	}
	check("/api/v1/parties/BIN"+binA+"/outbox?cursor="+url.QueryEscape(cursor), 404)
	check("/api/v1/parties/"+partyA.String()+"/outbox?cursor="+url.QueryEscape(cursor), 404)
	check("/api/v1/documents/"+idsA[0], 404)
	check("/api/v1/documents/"+uuid.NewString(), 404) // the same answer as for A's
	code, _, raw, _ := s.send("GET", "/api/v1/parties/BIN"+binC+"/outbox?cursor="+url.QueryEscape(cursor), nil, userC)
	if code != 200 && code != 400 || regexp.MustCompile(strings.Join(idsA, "|")).Match(raw) {
		t.Errorf("A's cursor on C's outbox: %d %s", code, raw)
	}
	if code == 200 && !strings.Contains(string(raw), idC) && !strings.Contains(string(raw), `"documents":[]`) {
		t.Logf("A's cursor on C's outbox: %s", raw)
	}
}

// with is h plus one header.
func with(h map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for hk, hv := range h {
		out[hk] = hv
	}
	return out
}

// An arbiter reads a party's data only once an administrator granted it the
// case; each staff access is an access.staff_read event with its purpose.
func TestArbiterGrantAndStaffAccessLog(t *testing.T) {
	s := start(t)
	seedParties(t, s)
	matrixPrincipals()
	s.caughtUp("parties")
	arbiter := map[string]string{"Authorization": "Bearer test-m-arbiter-granted", "X-Purpose": "case 2"}
	path := "/api/v1/parties/" + partyC.String()
	if code, body := s.do("GET", path, nil, arbiter); code != 403 {
		t.Fatalf("before the grant: %d %v", code, body)
	}
	grant := map[string]any{"arbiter_iin": iinArbiter, "party_id": partyC, "reason": "case 2"}
	if code, body := s.do("POST", "/api/v1/arbiter-grants", grant, map[string]string{"X-Purpose": ""}); code != 403 || errCode(body) != "purpose_required" {
		t.Fatalf("a grant without a purpose: %d %v", code, body)
	}
	if code, body := s.do("POST", "/api/v1/arbiter-grants", grant, nil); code != 201 || body["granted_by"] != "staff:administrator:800101300019" {
		t.Fatalf("grant: %d %v", code, body)
	}
	if code, body := s.do("GET", path, nil, arbiter); code != 200 || body["identity_number"] != binC {
		t.Fatalf("after the grant: %d %v", code, body)
	}
	var n int
	if err := s.app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM events WHERE event_type = 'access.staff_read'
		AND actor = $1 AND data_json->>'purpose' = 'case 2' AND data_json->>'party' = $2`,
		"staff:arbiter:"+iinArbiter, partyC.String()).Scan(&n); err != nil || n != 1 {
		t.Fatalf("the arbiter's access recorded %d times (%v), want 1", n, err)
	}
}
