package httpapi

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Every route the API registers is described in docs/openapi.yaml, with its
// method, and every described path is served.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	raw, err := os.ReadFile("../../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("docs/openapi.yaml is not YAML: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{[^}]*\}`)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+param.ReplaceAllString(path, "{}")] = true
		}
	}
	s, _ := newTestServer(t, &bytes.Buffer{}, false)
	served := map[string]bool{}
	for _, rt := range s.Routes() {
		r := param.ReplaceAllString(rt.Pattern, "{}")
		served[r] = true
		if !documented[r] {
			t.Errorf("%s is served but not in docs/openapi.yaml", rt.Pattern)
		}
	}
	// The EDS login endpoints are mounted by the composition root, and so
	// are logout and the API tokens (adapters/identity).
	served["POST /api/v1/auth/eds/nonce"], served["POST /api/v1/auth/eds/login"] = true, true
	for _, r := range []string{"POST /api/v1/auth/logout", "POST /api/v1/parties/{}/api-tokens", "GET /api/v1/parties/{}/api-tokens",
		"DELETE /api/v1/parties/{}/api-tokens/{}", "GET /api/v1/auth/oidc/start", "GET /api/v1/auth/oidc/callback"} {
		served[r] = true
	}
	for r := range documented {
		if !served[r] {
			t.Errorf("%s is in docs/openapi.yaml but not served", r)
		}
	}
	if len(served) < 20 {
		t.Fatalf("found only %d routes in the sources", len(served))
	}
}
