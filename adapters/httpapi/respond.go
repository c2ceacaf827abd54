package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/google/uuid"

	"docledger/commands"
	"docledger/domain"
)

// errorBody is the shape of every error response.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	var b errorBody
	b.Error.Code, b.Error.Message = code, message
	writeJSON(w, status, b)
}

// statusOf maps a domain error code to its HTTP status: the one switch at
// the edge.
func statusOf(code string) int {
	switch {
	case code == domain.ErrValidation.Code, strings.HasSuffix(code, "_unknown"), code == "document_same_party":
		return http.StatusUnprocessableEntity
	case strings.HasSuffix(code, "_not_found"):
		return http.StatusNotFound
	case code == commands.ErrUnknownCommand.Code:
		return http.StatusNotFound
	case code == commands.ErrWrongVersion.Code:
		return http.StatusPreconditionFailed
	case code == commands.ErrSignatureUnavailable.Code, code == "signature_revocation_unavailable":
		// No trust anchors, or no OCSP/CRL answer: the server's or the network's state, worth a retry.
		return http.StatusServiceUnavailable
	case code == commands.ErrTimeout.Code:
		return http.StatusGatewayTimeout
	case code == commands.ErrInternal.Code:
		return http.StatusInternalServerError
	case code == commands.ErrIdempotencyKeyReused.Code, code == commands.ErrConcurrency.Code,
		strings.Contains(code, "_already_"), strings.HasSuffix(code, "_not_sent"), strings.HasSuffix(code, "_exists"):
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// writeCommandError answers a command the bus refused or failed.
func (s *Server) writeCommandError(w http.ResponseWriter, r *http.Request, err error) {
	var de *domain.Error
	if errors.As(err, &de) {
		writeError(w, r, statusOf(de.Code), de.Code, de.Message)
		return
	}
	s.log.Error("command failed", "err", err, "correlation_id", correlationID(r.Context()))
	writeError(w, r, http.StatusInternalServerError, commands.ErrInternal.Code, commands.ErrInternal.Message)
}

// decode reads a JSON body strictly: one object, no unknown fields, within
// the size limit. It answers the client itself and returns false on error.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, r, http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
		return false
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		err = dec.Decode(v)
		if err == nil {
			if _, extra := dec.Token(); extra != io.EOF {
				err = errors.New("unexpected data after the JSON object")
			}
		}
		if err == nil && isJSONNull(data) {
			err = errors.New("the body must be a JSON object, not null")
		}
		if err == nil {
			err = checkFieldNames(data, reflect.TypeOf(v), "")
		}
	}
	if err == nil {
		return true
	}
	var unknown unknownFieldError
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, r, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is over %d bytes", s.cfg.MaxBody))
	case errors.Is(err, io.EOF):
		writeError(w, r, http.StatusBadRequest, "empty_body", "the request needs a JSON body")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		writeError(w, r, http.StatusBadRequest, "malformed_json", "the body is not valid JSON: "+err.Error())
	case errors.As(err, &typeErr):
		writeError(w, r, http.StatusBadRequest, "malformed_json", fmt.Sprintf("field %q has the wrong type", typeErr.Field))
	case errors.As(err, &unknown):
		writeError(w, r, http.StatusBadRequest, "unknown_field", unknown.Error())
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		writeError(w, r, http.StatusBadRequest, "unknown_field", strings.TrimPrefix(err.Error(), "json: "))
	default:
		writeError(w, r, http.StatusBadRequest, "malformed_json", err.Error())
	}
	return false
}

// pathID parses the {id} path value as a UUID, answering the client when it is not one.
func pathID(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, "invalid_id", "the id in the path is not a UUID")
		return uuid.Nil, false
	}
	return id, true
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }
