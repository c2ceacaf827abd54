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

	"docledger/adapters/apierror"

	"github.com/google/uuid"
)

func writeJSON(w http.ResponseWriter, status int, v any) { apierror.WriteJSON(w, status, v) }

func writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	apierror.Write(w, status, code, message)
}

// writeErr answers err, a refusal (a *domain.Error, with the status of its
// kind) or a failure (logged, answered as internal_error).
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, what string, err error) {
	if !apierror.WriteErr(w, err) {
		s.log.Error(what+" failed", "err", err, "correlation_id", correlationID(r.Context()))
	}
}

// answer writes v, or the error.
func answer[T any](s *Server, w http.ResponseWriter, r *http.Request, what string, v T, err error) {
	if err != nil {
		s.writeErr(w, r, what, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
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
