package apierror_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"docledger/adapters/apierror"
	"docledger/domain"
)

func TestWriteErr(t *testing.T) {
	for _, tt := range []struct {
		err        error
		status     int
		code       string
		wantDomain bool
	}{
		{domain.NewError("party_no_authority", "no"), 422, "party_no_authority", true},
		{domain.NewErrorOf(domain.NotFound, "party_not_found", "no"), 404, "party_not_found", true},
		{fmt.Errorf("wrapped: %w", domain.NewErrorOf(domain.Conflict, "document_already_sent", "x").Withf("detail")), 409, "document_already_sent", true},
		{domain.NewErrorOf(domain.PreconditionFailed, "wrong_expected_version", "x"), 412, "wrong_expected_version", true},
		{domain.NewErrorOf(domain.Unavailable, "signature_verification_unavailable", "x"), 503, "signature_verification_unavailable", true},
		{domain.NewErrorOf(domain.TooManyRequests, "rate_limited", "x"), 429, "rate_limited", true},
		{domain.NewErrorOf(domain.Timeout, "command_timeout", "x"), 504, "command_timeout", true},
		{domain.NewErrorOf(domain.Forbidden, "forbidden", "x"), 403, "forbidden", true},
		{domain.NewErrorOf(domain.Unauthenticated, "unauthenticated", "x"), 401, "unauthenticated", true},
		{domain.NewErrorOf(domain.Malformed, "invalid_cursor", "x"), 400, "invalid_cursor", true},
		{&domain.Error{Code: "from_an_old_peer", Message: "no kind"}, 422, "from_an_old_peer", true},
		{errors.New("connection reset by peer"), 500, "internal_error", false},
	} {
		rec := httptest.NewRecorder()
		if got := apierror.WriteErr(rec, tt.err); got != tt.wantDomain {
			t.Errorf("%v: WriteErr said domain=%v", tt.err, got)
		}
		var body apierror.Body
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%v: body %q: %v", tt.err, rec.Body, err)
		}
		if rec.Code != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
			t.Errorf("%v: %d %+v, want %d %s", tt.err, rec.Code, body, tt.status, tt.code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("content type %q", ct)
		}
		if tt.status == http.StatusInternalServerError && body.Error.Message != apierror.Internal.Message {
			t.Errorf("an internal failure leaks its cause: %q", body.Error.Message)
		}
	}
}
