package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/google/uuid"

	"docledger/docs"
)

// apiRouter finds the operations of docs/openapi.yaml (the embedded copy
// ledgerd serves); built once for all tests.
var apiRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load docs/openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("docs/openapi.yaml: %w", err)
	}
	doc.Servers = nil // match any host: the tests' ledgerd listens on a free port
	closeObjects(doc)
	return gorillamux.NewRouter(doc)
})

// closeObjects makes every object schema that lists its properties and says
// nothing of others refuse others, in the tests' copy of the description: a
// field the server answers (or takes) that the description does not name is
// a drift too. (Bodies the server takes are strict already.)
func closeObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		sc := ref.Value
		seen[sc] = true
		if len(sc.Properties) > 0 && sc.AdditionalProperties.Has == nil && sc.AdditionalProperties.Schema == nil {
			no := false
			sc.AdditionalProperties.Has = &no
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
		walk(sc.AdditionalProperties.Schema)
		for _, group := range []openapi3.SchemaRefs{sc.AllOf, sc.AnyOf, sc.OneOf} {
			for _, r := range group {
				walk(r)
			}
		}
	}
	for _, s := range doc.Components.Schemas {
		walk(s)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
}

// checkAPI holds one exchange of an end-to-end test to docs/openapi.yaml,
// so that a drift between the server and its description fails the test:
//   - a path the description does not have must answer 404 not_found, a
//     method it does not list for the path 405 method_not_allowed with Allow;
//   - a request the description refuses must be refused (4xx);
//   - every response must be one the operation describes: its status, its
//     headers, its content type and a body of its schema.
func checkAPI(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	router, err := apiRouter()
	if err != nil {
		return err
	}
	what := req.Method + " " + req.URL.RequestURI()
	route, params, err := router.FindRoute(req)
	switch {
	case errors.Is(err, routers.ErrMethodNotAllowed):
		if status != http.StatusMethodNotAllowed || header.Get("Allow") == "" || errorCodeOf(body) != "method_not_allowed" {
			return fmt.Errorf("%s: the description has no such operation, yet the server answered %d (Allow %q) %s",
				what, status, header.Get("Allow"), body)
		}
		return nil
	case errors.Is(err, routers.ErrPathNotFound):
		if status != http.StatusNotFound || errorCodeOf(body) != "not_found" {
			return fmt.Errorf("%s: the description has no such path, yet the server answered %d %s", what, status, body)
		}
		return nil
	case err != nil:
		return fmt.Errorf("%s: find the operation: %w", what, err)
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		return fmt.Errorf("%s: the server answered %d to a request its description refuses: %v", what, status, err)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%s: the answer %d does not keep to the description (operation %s): %v; body %.200q",
			what, status, route.Operation.OperationID, err, body)
	}
	return nil
}

func errorCodeOf(body []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error.Code
}

// checkAPI catches each kind of drift between an exchange and the
// description (and lets the exchanges that keep to it pass).
func TestCheckAPICatchesDrift(t *testing.T) {
	id := uuid.NewString()
	doc := `{"document_id":"` + id + `","recipient_party":"IIN900101300123","sender_party":"BIN990140000123","title":"t",
		"kind":"invoice","content_sha256":"` + hash + `","status":"sent","registered_at":"2026-03-02T04:00:00Z",
		"sent_at":"2026-03-02T04:00:01Z","stream_version":2,"position":7}`
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	register := `{"sender_party":"BIN990140000123","recipient_party":"IIN900101300123","kind":"invoice","title":"t","content_sha256":"` + hash + `"}`
	cases := []struct {
		name, method, path, reqBody string
		status                      int
		header                      http.Header
		body                        string
		drift                       bool
	}{
		{"a document", "GET", "/api/v1/documents/" + id, "", 200, jsonHeader, doc, false},
		{"a field of the wrong type", "GET", "/api/v1/documents/" + id, "", 200, jsonHeader,
			strings.Replace(doc, `"stream_version":2`, `"stream_version":"2"`, 1), true},
		{"a required field missing", "GET", "/api/v1/documents/" + id, "", 200, jsonHeader,
			strings.Replace(doc, `"stream_version":2,`, ``, 1), true},
		{"a field not described", "GET", "/api/v1/documents/" + id, "", 200, jsonHeader,
			strings.Replace(doc, `"position":7`, `"position":7,"owner_token":"x"`, 1), true},
		{"a field not described, deeper", "GET", "/api/v1/parties/" + id + "/outbox", "", 200, jsonHeader,
			`{"documents":[` + strings.Replace(doc, `"position":7`, `"position":7,"owner_token":"x"`, 1) + `]}`, true},
		{"a page", "GET", "/api/v1/parties/" + id + "/outbox?limit=1", "", 200, jsonHeader, `{"documents":[` + doc + `],"next_cursor":"c"}`, false},
		{"a status not described", "GET", "/api/v1/documents/" + id, "", 418, jsonHeader, `{"error":{"code":"x","message":"y"}}`, true},
		{"an error outside the envelope", "GET", "/api/v1/documents/" + id, "", 404, jsonHeader, `{"message":"gone"}`, true},
		{"another content type", "GET", "/api/v1/documents/" + id, "", 200, http.Header{"Content-Type": {"text/html"}}, doc, true},
		{"a described refusal", "POST", "/api/v1/documents", `{"title":`, 400, jsonHeader, `{"error":{"code":"malformed_json","message":"m"}}`, false},
		{"a request the description refuses, accepted", "POST", "/api/v1/documents",
			strings.Replace(register, `"kind":"invoice"`, `"kind":"poem"`, 1), 201, jsonHeader,
			`{"document_id":"` + id + `","stream_id":"document-` + id + `","stream_version":1,"position":1}`, true},
		{"a path not described, answered", "GET", "/api/v1/secrets", "", 200, jsonHeader, `{}`, true},
		{"a path not described, 404", "GET", "/api/v1/secrets", "", 404, jsonHeader, `{"error":{"code":"not_found","message":"m"}}`, false},
		{"a wrong method, 404", "DELETE", "/api/v1/documents/" + id, "", 404, jsonHeader, `{"error":{"code":"not_found","message":"m"}}`, true},
		{"a wrong method, 405 without Allow", "DELETE", "/api/v1/documents/" + id, "", 405, jsonHeader, `{"error":{"code":"method_not_allowed","message":"m"}}`, true},
		{"a wrong method, 405 with Allow", "DELETE", "/api/v1/documents/" + id, "", 405,
			http.Header{"Content-Type": {"application/json"}, "Allow": {"GET, HEAD"}}, `{"error":{"code":"method_not_allowed","message":"m"}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, "http://127.0.0.1:1"+c.path, nil)
			if c.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			err := checkAPI(req, []byte(c.reqBody), c.status, c.header, []byte(c.body))
			if c.drift && err == nil {
				t.Fatal("a drift passed")
			}
			if !c.drift && err != nil {
				t.Fatalf("a faithful exchange failed: %v", err)
			}
		})
	}
}
