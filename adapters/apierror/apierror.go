// Package apierror writes docledger's HTTP answers: JSON bodies, and the
// one error envelope every endpoint uses (the API, the EDS login, the
// cabinet's JSON calls):
//
//	{"error": {"code": "party_not_found", "message": "no such party"}}
//
// Code is stable and machine-readable; Status maps a domain error's kind to
// its HTTP status in one switch, so no handler decides statuses by code.
package apierror

import (
	"encoding/json"
	"errors"
	"net/http"

	"docledger/domain"
)

// Body is the shape of every error response.
type Body struct {
	Error Detail `json:"error"`
}

// Detail is the error inside Body.
type Detail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Status is the HTTP status of a domain error of kind k.
func Status(k domain.Kind) int {
	switch k {
	case domain.Malformed:
		return http.StatusBadRequest
	case domain.NotFound:
		return http.StatusNotFound
	case domain.Conflict:
		return http.StatusConflict
	case domain.PreconditionFailed:
		return http.StatusPreconditionFailed
	case domain.Unauthenticated:
		return http.StatusUnauthorized
	case domain.Forbidden:
		return http.StatusForbidden
	case domain.TooManyRequests:
		return http.StatusTooManyRequests
	case domain.Unavailable:
		return http.StatusServiceUnavailable
	case domain.Timeout:
		return http.StatusGatewayTimeout
	case domain.Internal:
		return http.StatusInternalServerError
	}
	return http.StatusUnprocessableEntity // domain.Invalid and unknown kinds
}

// WriteJSON answers with status and v as JSON, ending in a newline.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Write answers with status and the error envelope of code and message.
func Write(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, Body{Error: Detail{Code: code, Message: message}})
}

// Internal is the answer to a failure of the server's own: it says nothing
// of the cause (which the caller logs).
var Internal = domain.NewErrorOf(domain.Internal, "internal_error", "the request failed")

// WriteErr answers with err: a *domain.Error with the status of its kind
// and its own code and message, any other error as Internal. It reports
// whether err was a domain error, so that the caller logs the others.
func WriteErr(w http.ResponseWriter, err error) bool {
	var de *domain.Error
	if errors.As(err, &de) {
		Write(w, Status(de.KindOf()), de.Code, de.Message)
		return true
	}
	Write(w, Status(domain.Internal), Internal.Code, Internal.Message)
	return false
}
