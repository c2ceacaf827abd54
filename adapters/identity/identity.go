// Package identity is who a request is: the sessions EDS login opens for
// clients' users and operator staff, the API tokens a party's administrator
// makes for integrations, and the Authenticator that turns a request's
// credentials (Authorization: Bearer, or the session cookie with a
// cross-origin check) into a policy.Principal.
//
// Secrets are opaque random strings with a recognisable prefix (dls_ for
// sessions, dlt_ for API tokens) followed by 32 random bytes in base64url.
// Only their SHA-256 is stored (migrations/00014_identity.sql); a secret is
// shown once, when it is made. Sessions expire absolutely and after an idle
// timeout, are revoked on logout, and stop working when the certificate
// they were opened with is reported compromised (the compromises read
// model). Refusals are *domain.Error values of kind Unauthenticated with a
// stable code (credentials_malformed, credentials_unknown, session_expired,
// session_idle_timeout, session_revoked, certificate_compromised,
// token_revoked, staff_role_withdrawn); a refused request writes nothing,
// and nothing here logs a secret.
package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"

	"docledger/domain"
)

// The prefixes of secrets.
const (
	SessionPrefix = "dls_"
	TokenPrefix   = "dlt_"
)

// secretBytes is the random part of a secret: 256 bits.
const secretBytes = 32

// secretLen is the length of a secret's base64url part.
var secretLen = base64.RawURLEncoding.EncodedLen(secretBytes)

// Refusals of credentials (kind Unauthenticated: 401), and of a cookie
// request from another origin (Forbidden: 403).
var (
	ErrMalformed              = domain.NewErrorOf(domain.Unauthenticated, "credentials_malformed", "the credentials are not a session or API token of this server's format")
	ErrUnknown                = domain.NewErrorOf(domain.Unauthenticated, "credentials_unknown", "no such session or API token (it may belong to another server)")
	ErrSessionExpired         = domain.NewErrorOf(domain.Unauthenticated, "session_expired", "the session has expired; log in again")
	ErrSessionIdle            = domain.NewErrorOf(domain.Unauthenticated, "session_idle_timeout", "the session was idle too long; log in again")
	ErrSessionRevoked         = domain.NewErrorOf(domain.Unauthenticated, "session_revoked", "the session was revoked (logout)")
	ErrCertificateCompromised = domain.NewErrorOf(domain.Unauthenticated, "certificate_compromised", "the certificate of this login was reported compromised")
	ErrTokenRevoked           = domain.NewErrorOf(domain.Unauthenticated, "token_revoked", "the API token was revoked")
	ErrStaffWithdrawn         = domain.NewErrorOf(domain.Unauthenticated, "staff_role_withdrawn", "the staff role of this session is no longer configured")
	ErrCrossOrigin            = domain.NewErrorOf(domain.Forbidden, "csrf_rejected", "a cookie-authenticated request from another origin (use Authorization: Bearer, or the cabinet's own origin)")
	ErrNotStaff               = domain.NewErrorOf(domain.Forbidden, "not_staff", "the signer is not configured as operator staff")
)

// Refusals of the API token endpoints.
var (
	ErrTokenNotFound = domain.NewErrorOf(domain.NotFound, "api_token_not_found", "no such API token of this party")
	ErrTokenInvalid  = domain.NewErrorOf(domain.Malformed, "api_token_invalid", "an API token needs a name (1-100 characters) and scopes among read, send_documents, billing")
)

// newSecret returns prefix followed by 32 random bytes of r in base64url.
func newSecret(r io.Reader, prefix string) (string, error) {
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("random secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is what the tables keep of a secret.
func hashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// parseSecret says which kind of secret s is (SessionPrefix or
// TokenPrefix), or ErrMalformed.
func parseSecret(s string) (string, error) {
	for _, p := range []string{SessionPrefix, TokenPrefix} {
		rest, ok := strings.CutPrefix(s, p)
		if !ok {
			continue
		}
		if len(rest) != secretLen || strings.IndexFunc(rest, notBase64URL) >= 0 {
			return "", ErrMalformed
		}
		// Strict: the padding bits are zero, so a secret has one spelling.
		// (The decoder alone would skip \r and \n, hence the alphabet check.)
		if b, err := base64.RawURLEncoding.Strict().DecodeString(rest); err != nil || len(b) != secretBytes {
			return "", ErrMalformed
		}
		return p, nil
	}
	return "", ErrMalformed
}

// notBase64URL reports whether r is outside base64url's alphabet.
func notBase64URL(r rune) bool {
	return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
}
