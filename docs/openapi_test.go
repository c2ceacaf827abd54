package docs_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"docledger/docs"
)

// The description is a valid OpenAPI 3 document: it loads, its references
// resolve, and its schemas, examples and defaults are well formed (a
// description with a comma in a YAML flow mapping, parsed as a property,
// fails here).
func TestOpenAPIIsValid(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(docs.OpenAPI)
	if err != nil {
		t.Fatalf("load docs/openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("docs/openapi.yaml: %v", err)
	}
}
