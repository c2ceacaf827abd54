package domain

import "fmt"

// Error is an expected outcome of a domain rule: a command that the rules
// refuse. Code is stable and machine-readable (it reaches API clients and
// crosses the command transport); Message explains the refusal to a person.
//
// Two errors are the same (errors.Is) when their codes are equal, so an
// error rebuilt from its code on the other side of a transport still matches
// the sentinel it came from.
type Error struct {
	Code    string
	Message string
}

// NewError returns a domain error with the given code and message.
func NewError(code, message string) *Error { return &Error{Code: code, Message: message} }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is a domain error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Withf returns a copy of e whose message adds detail; it still matches e.
func (e *Error) Withf(format string, args ...any) *Error {
	return &Error{Code: e.Code, Message: e.Message + ": " + fmt.Sprintf(format, args...)}
}

// ErrValidation is the code of a command whose input breaks a rule of shape
// (a missing id, an empty title) rather than a rule of state.
var ErrValidation = NewError("validation_failed", "invalid command")
