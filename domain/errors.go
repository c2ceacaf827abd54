package domain

import "fmt"

// Kind says what sort of outcome an Error is, so that an edge (HTTP, CLI)
// answers every error of one kind alike without knowing its code.
type Kind string

// The kinds of Error. The zero Kind is Invalid.
const (
	// Invalid: the request is understood but breaks a rule (the default).
	Invalid Kind = "invalid"
	// Malformed: the request itself is unreadable (a bad parameter, cursor
	// or body) before any rule is asked.
	Malformed Kind = "malformed"
	// NotFound: what the request names does not exist (or is not known yet).
	NotFound Kind = "not_found"
	// Conflict: the state does not allow it now (already done, exists,
	// concurrent change, an idempotency key reused).
	Conflict Kind = "conflict"
	// PreconditionFailed: the sender's expected version is not the current one.
	PreconditionFailed Kind = "precondition_failed"
	// Unauthenticated: the request carries no identity the server accepts
	// (none, expired, revoked or malformed credentials).
	Unauthenticated Kind = "unauthenticated"
	// Forbidden: the actor may not do this.
	Forbidden Kind = "forbidden"
	// TooManyRequests: the client sent more requests than its rate limit
	// allows; it may retry after a while.
	TooManyRequests Kind = "too_many_requests"
	// Unavailable: a dependency (trust anchors, OCSP, the database) cannot
	// answer now; retrying with the same idempotency key is safe.
	Unavailable Kind = "unavailable"
	// Timeout: no answer in time; the outcome is not known yet.
	Timeout Kind = "timeout"
	// Internal: the server failed; nothing the client did.
	Internal Kind = "internal"
)

// Error is an expected outcome of a domain rule: a command that the rules
// refuse. Code is stable and machine-readable (it reaches API clients and
// crosses the command transport); Message explains the refusal to a person;
// Kind says what sort of refusal it is.
//
// Two errors are the same (errors.Is) when their codes are equal, so an
// error rebuilt from its code on the other side of a transport still matches
// the sentinel it came from.
type Error struct {
	Code    string
	Message string
	Kind    Kind `json:",omitempty"`
}

// NewError returns a domain error of kind Invalid with the given code and
// message.
func NewError(code, message string) *Error {
	return &Error{Code: code, Message: message, Kind: Invalid}
}

// NewErrorOf returns a domain error of kind k.
func NewErrorOf(k Kind, code, message string) *Error {
	return &Error{Code: code, Message: message, Kind: k}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is a domain error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Withf returns a copy of e whose message adds detail; it still matches e.
func (e *Error) Withf(format string, args ...any) *Error {
	return &Error{Code: e.Code, Message: e.Message + ": " + fmt.Sprintf(format, args...), Kind: e.Kind}
}

// KindOf is e's kind, Invalid when it has none (an error decoded from an
// older peer).
func (e *Error) KindOf() Kind {
	if e.Kind == "" {
		return Invalid
	}
	return e.Kind
}

// ErrValidation is the code of a command whose input breaks a rule of shape
// (a missing id, an empty title) rather than a rule of state.
var ErrValidation = NewError("validation_failed", "invalid command")
