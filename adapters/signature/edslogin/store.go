// Package edslogin is login with EDS: the server issues a single-use nonce
// with an expiry, the client returns a CMS over it signed with an NCA AUTH
// certificate, and the server verifies it and opens a session bound to the
// signer's IIN (and BIN). Nonces live in PostgreSQL
// (migrations/00010_eds_login.sql); Handler serves the HTTP endpoints. The
// session is opened by a SessionOpener (ledgerd: adapters/identity), or,
// without one, kept by Store in eds_login_sessions.
package edslogin

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The store's refusals.
var (
	// ErrNonceUnknown: the server never issued this nonce.
	ErrNonceUnknown = errors.New("edslogin: nonce unknown")
	// ErrNonceUsed: the nonce was already consumed (a replay).
	ErrNonceUsed = errors.New("edslogin: nonce already used")
	// ErrNonceExpired: the nonce's expiry has passed.
	ErrNonceExpired = errors.New("edslogin: nonce expired")
	// ErrSessionUnknown: no such session, or it has expired.
	ErrSessionUnknown = errors.New("edslogin: session unknown or expired")
)

// Session is a login session bound to the signer of the login signature.
type Session struct {
	IIN               string
	BIN               string
	CertificateSerial string
	OpenedAt          time.Time
	ExpiresAt         time.Time
}

// Store keeps nonces and sessions in PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool (connections acting as ledger_app).
func NewStore(pool *pgxpool.Pool) (*Store, error) {
	if pool == nil {
		return nil, errors.New("edslogin: nil pool")
	}
	return &Store{pool: pool}, nil
}

// IssueNonce records a new nonce valid until expiresAt.
func (s *Store) IssueNonce(ctx context.Context, nonce string, issuedAt, expiresAt time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO eds_login_nonces (nonce, issued_at, expires_at) VALUES ($1, $2, $3)`, nonce, issuedAt, expiresAt)
	if err != nil {
		return fmt.Errorf("issue nonce: %w", err)
	}
	return nil
}

// ConsumeNonce marks nonce used at now, atomically, so that it serves one
// login at most. Errors: ErrNonceUnknown, ErrNonceUsed, ErrNonceExpired.
func (s *Store) ConsumeNonce(ctx context.Context, nonce string, now time.Time) error {
	var expires time.Time
	err := s.pool.QueryRow(ctx, `
		UPDATE eds_login_nonces SET consumed_at = $2
		WHERE nonce = $1 AND consumed_at IS NULL
		RETURNING expires_at`, nonce, now).Scan(&expires)
	if errors.Is(err, pgx.ErrNoRows) {
		var used bool
		err = s.pool.QueryRow(ctx, `SELECT consumed_at IS NOT NULL FROM eds_login_nonces WHERE nonce = $1`, nonce).Scan(&used)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNonceUnknown
		case err != nil:
			return fmt.Errorf("consume nonce: %w", err)
		case used:
			return ErrNonceUsed
		}
		return ErrNonceUnknown
	}
	if err != nil {
		return fmt.Errorf("consume nonce: %w", err)
	}
	if !now.Before(expires) {
		return ErrNonceExpired
	}
	return nil
}

// OpenSession records a session for token (only its SHA-256 is kept) with
// the login evidence.
func (s *Store) OpenSession(ctx context.Context, token string, sess Session, evidence []byte) error {
	sum := sha256.Sum256([]byte(token))
	var bin *string
	if sess.BIN != "" {
		bin = &sess.BIN
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO eds_login_sessions (token_sha256, iin, bin, certificate_serial, evidence, opened_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		sum[:], sess.IIN, bin, sess.CertificateSerial, evidence, sess.OpenedAt, sess.ExpiresAt)
	if err != nil {
		return fmt.Errorf("open session: %w", err)
	}
	return nil
}

// Session returns the session of token if it is open at now. Errors:
// ErrSessionUnknown.
func (s *Store) Session(ctx context.Context, token string, now time.Time) (Session, error) {
	sum := sha256.Sum256([]byte(token))
	var sess Session
	var bin *string
	err := s.pool.QueryRow(ctx, `
		SELECT iin, bin, certificate_serial, opened_at, expires_at FROM eds_login_sessions
		WHERE token_sha256 = $1 AND expires_at > $2`, sum[:], now).
		Scan(&sess.IIN, &bin, &sess.CertificateSerial, &sess.OpenedAt, &sess.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrSessionUnknown
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	if bin != nil {
		sess.BIN = *bin
	}
	return sess, nil
}

// DeleteExpired removes the nonces and sessions that expired before now and
// returns how many rows went. Run it periodically; nothing else deletes them.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	a, err := s.pool.Exec(ctx, `DELETE FROM eds_login_nonces WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired nonces: %w", err)
	}
	b, err := s.pool.Exec(ctx, `DELETE FROM eds_login_sessions WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return a.RowsAffected() + b.RowsAffected(), nil
}
