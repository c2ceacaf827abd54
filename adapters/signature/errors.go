package signature

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable reason for refusing a signature. Codes
// are part of the evidence record and of API error responses; they never change
// meaning once released.
type Code string

// The reasons a signature, a signer or a login can be refused.
const (
	CodeMalformedInput        Code = "malformed_input"
	CodeMalformedCMS          Code = "malformed_cms"
	CodeNoSigners             Code = "no_signers"
	CodeContentMissing        Code = "content_missing"
	CodeContentMismatch       Code = "content_mismatch"
	CodeBadSignature          Code = "bad_signature"
	CodeSignerCertMissing     Code = "signer_certificate_missing"
	CodeUnsupportedAlgorithm  Code = "unsupported_algorithm"
	CodeCertExpired           Code = "certificate_expired"
	CodeCertNotYetValid       Code = "certificate_not_yet_valid"
	CodeCertRevoked           Code = "certificate_revoked"
	CodeCertUntrusted         Code = "certificate_untrusted"
	CodeCertSelfSigned        Code = "certificate_self_signed"
	CodeRevocationUnavailable Code = "revocation_unavailable"
	CodeAuthKeyUsedToSign     Code = "auth_key_used_to_sign"
	CodeNotAuthCertificate    Code = "not_auth_certificate"
	CodeKeyUsage              Code = "key_usage_not_allowed"
	CodeTimestampInvalid      Code = "timestamp_invalid"
	CodeIINMismatch           Code = "signer_iin_mismatch"
	CodeBINMismatch           Code = "signer_bin_mismatch"
	CodeRoleNotAllowed        Code = "signer_role_not_allowed"
	CodeEvidenceInvalid       Code = "evidence_invalid"
)

// Error is a refusal with a stable Code. errors.Is(err, &Error{Code: c})
// reports whether err carries code c; CodeOf extracts it.
type Error struct {
	Code    Code
	Message string
	Err     error
}

// Error formats the code, the message and the cause.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// CodeOf returns the Code carried by err, or "" when err is nil or carries none.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func newErr(c Code, msg string, cause error) *Error {
	return &Error{Code: c, Message: msg, Err: cause}
}

func errf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}
