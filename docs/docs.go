// Package docs holds the project's documentation that the programs serve:
// the OpenAPI description of the HTTP API, embedded so that ledgerd answers
// it at GET /api/v1/openapi.yaml and the tests check the server against it.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml, the description of the HTTP API (/api/v1).
//
//go:embed openapi.yaml
var OpenAPI []byte
