package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/policy"
)

// Login is who an EDS login verified: the signer of the AUTH certificate.
type Login struct {
	IIN               string
	BIN               string
	CertRoles         []string
	CertificateSerial string
	// Staff is the staff role when the signer logs in as staff (empty: a
	// client's user).
	Staff policy.StaffRole
	// Evidence is the login signature's evidence record (JSON), kept with
	// the session.
	Evidence []byte
}

// Session is a stored session (never its secret).
type Session struct {
	ID            uuid.UUID
	Login         Login
	OpenedAt      time.Time
	ExpiresAt     time.Time
	LastSeenAt    time.Time
	RevokedAt     *time.Time
	RevokeReason  string
	CompromisedAt *time.Time
	tokenSHA256   []byte
}

// APIToken is a stored API token (never its secret).
type APIToken struct {
	ID          uuid.UUID      `json:"id"`
	PartyID     uuid.UUID      `json:"party_id"`
	Name        string         `json:"name"`
	Scopes      []policy.Scope `json:"scopes"`
	CreatedAt   time.Time      `json:"created_at"`
	CreatedBy   string         `json:"created_by"`
	RevokedAt   *time.Time     `json:"revoked_at,omitempty"`
	RevokedBy   string         `json:"revoked_by,omitempty"`
	tokenSHA256 []byte
}

// Store keeps sessions and API tokens in PostgreSQL (the app role's
// tables of migrations/00014_identity.sql).
type Store struct {
	pool   *pgxpool.Pool
	random io.Reader
}

// NewStore returns a store on pool; random supplies the secrets (nil:
// crypto/rand).
func NewStore(pool *pgxpool.Pool, random io.Reader) (*Store, error) {
	if pool == nil {
		return nil, errors.New("identity: nil pool")
	}
	if random == nil {
		random = rand.Reader
	}
	return &Store{pool: pool, random: random}, nil
}

// OpenSession stores a new session for l, opened at now and expiring at
// expires, and returns it with its secret (dls_...). A login whose
// certificate was reported compromised is refused with
// ErrCertificateCompromised, and nothing is written.
func (s *Store) OpenSession(ctx context.Context, l Login, now, expires time.Time) (Session, string, error) {
	if l.CertificateSerial != "" {
		var compromised bool
		err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM compromises.reports
			WHERE user_iin = $1 AND certificate_serial = $2)`, l.IIN, l.CertificateSerial).Scan(&compromised)
		if err != nil {
			return Session{}, "", fmt.Errorf("check compromise: %w", err)
		}
		if compromised {
			return Session{}, "", ErrCertificateCompromised
		}
	}
	secret, err := newSecret(s.random, SessionPrefix)
	if err != nil {
		return Session{}, "", err
	}
	kind := string(policy.User)
	if l.Staff != "" {
		kind = string(policy.Staff)
	}
	sess := Session{ID: uuid.New(), Login: l, OpenedAt: now, ExpiresAt: expires, LastSeenAt: now}
	roles := l.CertRoles
	if roles == nil {
		roles = []string{}
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO identity_sessions (session_id, token_sha256, kind, iin, bin, cert_roles, certificate_serial, staff_role,
			evidence, opened_at, expires_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $10)`,
		sess.ID, hashSecret(secret), kind, l.IIN, l.BIN, roles, l.CertificateSerial, string(l.Staff), l.Evidence, now, expires)
	if err != nil {
		return Session{}, "", fmt.Errorf("open session: %w", err)
	}
	return sess, secret, nil
}

// sessionBySecret reads the session of secret, with the earliest
// compromise report that revokes it. Errors: ErrUnknown.
func (s *Store) sessionBySecret(ctx context.Context, secret string) (Session, error) {
	sum := hashSecret(secret)
	var sess Session
	var staff, reason string
	err := s.pool.QueryRow(ctx, `
		SELECT s.session_id, s.token_sha256, s.iin, s.bin, s.cert_roles, s.certificate_serial, s.staff_role,
			s.opened_at, s.expires_at, s.last_seen_at, s.revoked_at, s.revoke_reason,
			(SELECT min(c.reported_at) FROM compromises.reports c WHERE c.user_iin = s.iin AND
				(c.certificate_serial = s.certificate_serial AND s.certificate_serial <> ''
				 OR c.certificate_serial = '' AND c.reported_at >= s.opened_at))
		FROM identity_sessions s WHERE s.token_sha256 = $1`, sum).
		Scan(&sess.ID, &sess.tokenSHA256, &sess.Login.IIN, &sess.Login.BIN, &sess.Login.CertRoles, &sess.Login.CertificateSerial, &staff,
			&sess.OpenedAt, &sess.ExpiresAt, &sess.LastSeenAt, &sess.RevokedAt, &reason, &sess.CompromisedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrUnknown
	}
	if err != nil {
		return Session{}, fmt.Errorf("read session: %w", err)
	}
	// The index found the row by hash; compare the hashes again in
	// constant time, so that no answer depends on a partial match.
	if subtle.ConstantTimeCompare(sess.tokenSHA256, sum) != 1 {
		return Session{}, ErrUnknown
	}
	sess.Login.Staff = policy.StaffRole(staff)
	sess.RevokeReason = reason
	return sess, nil
}

// touch slides a session's idle timeout: last_seen_at becomes now, at most
// once per interval (so that a busy client does not write per request).
func (s *Store) touch(ctx context.Context, id uuid.UUID, now time.Time, interval time.Duration) error {
	_, err := s.pool.Exec(ctx, `UPDATE identity_sessions SET last_seen_at = $2
		WHERE session_id = $1 AND revoked_at IS NULL AND last_seen_at <= $3`, id, now, now.Add(-interval))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// RevokeSession revokes the session of secret at now (logout), by whom and
// why. Revoking a revoked session changes nothing. Errors: ErrMalformed,
// ErrUnknown.
func (s *Store) RevokeSession(ctx context.Context, secret string, now time.Time, by, reason string) error {
	if p, err := parseSecret(secret); err != nil || p != SessionPrefix {
		return ErrMalformed
	}
	tag, err := s.pool.Exec(ctx, `UPDATE identity_sessions SET revoked_at = coalesce(revoked_at, $2),
		revoked_by = CASE WHEN revoked_at IS NULL THEN $3 ELSE revoked_by END,
		revoke_reason = CASE WHEN revoked_at IS NULL THEN $4 ELSE revoke_reason END
		WHERE token_sha256 = $1`, hashSecret(secret), now, by, reason)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrUnknown
	}
	return nil
}

// DeleteExpired removes the sessions that expired before cutoff and returns
// how many went.
func (s *Store) DeleteExpired(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM identity_sessions WHERE expires_at < $1`, cutoff)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}

// validScopes reports whether scopes is a non-empty set of known scopes.
func validScopes(scopes []policy.Scope) bool {
	if len(scopes) == 0 {
		return false
	}
	for i, sc := range scopes {
		if !slices.Contains([]policy.Scope{policy.ScopeRead, policy.ScopeSendDocuments, policy.ScopeBilling}, sc) || slices.Contains(scopes[:i], sc) {
			return false
		}
	}
	return true
}

// CreateToken stores a new API token of party named name with scopes,
// created at now by actor, and returns it with its secret (dlt_...), which
// is never stored. Errors: ErrTokenInvalid.
func (s *Store) CreateToken(ctx context.Context, party uuid.UUID, name string, scopes []policy.Scope, now time.Time, actor string) (APIToken, string, error) {
	if name == "" || len([]rune(name)) > 100 || !validScopes(scopes) || party == uuid.Nil {
		return APIToken{}, "", ErrTokenInvalid
	}
	secret, err := newSecret(s.random, TokenPrefix)
	if err != nil {
		return APIToken{}, "", err
	}
	t := APIToken{ID: uuid.New(), PartyID: party, Name: name, Scopes: scopes, CreatedAt: now, CreatedBy: actor}
	_, err = s.pool.Exec(ctx, `INSERT INTO identity_api_tokens (token_id, token_sha256, party_id, name, scopes, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, hashSecret(secret), party, name, scopeStrings(scopes), now, actor)
	if err != nil {
		return APIToken{}, "", fmt.Errorf("create API token: %w", err)
	}
	return t, secret, nil
}

func scopeStrings(scopes []policy.Scope) []string {
	out := make([]string, len(scopes))
	for i, s := range scopes {
		out[i] = string(s)
	}
	return out
}

const tokenColumns = `token_id, token_sha256, party_id, name, scopes, created_at, created_by, revoked_at, revoked_by`

func scanToken(row pgx.Row) (APIToken, error) {
	var t APIToken
	var scopes []string
	err := row.Scan(&t.ID, &t.tokenSHA256, &t.PartyID, &t.Name, &scopes, &t.CreatedAt, &t.CreatedBy, &t.RevokedAt, &t.RevokedBy)
	for _, sc := range scopes {
		t.Scopes = append(t.Scopes, policy.Scope(sc))
	}
	return t, err
}

// Tokens lists party's API tokens, oldest first, revoked ones included.
func (s *Store) Tokens(ctx context.Context, party uuid.UUID) ([]APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM identity_api_tokens WHERE party_id = $1 ORDER BY created_at, token_id`, party)
	if err != nil {
		return nil, fmt.Errorf("list API tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list API tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes party's token id at now by actor and returns it;
// revoking a revoked token changes nothing. Errors: ErrTokenNotFound.
func (s *Store) RevokeToken(ctx context.Context, party, id uuid.UUID, now time.Time, actor string) (APIToken, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `UPDATE identity_api_tokens SET revoked_at = coalesce(revoked_at, $3),
		revoked_by = CASE WHEN revoked_at IS NULL THEN $4 ELSE revoked_by END
		WHERE party_id = $1 AND token_id = $2 RETURNING `+tokenColumns, party, id, now, actor))
	if errors.Is(err, pgx.ErrNoRows) {
		return APIToken{}, ErrTokenNotFound
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("revoke API token: %w", err)
	}
	return t, nil
}

// tokenBySecret reads the API token of secret. Errors: ErrUnknown.
func (s *Store) tokenBySecret(ctx context.Context, secret string) (APIToken, error) {
	sum := hashSecret(secret)
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM identity_api_tokens WHERE token_sha256 = $1`, sum))
	if errors.Is(err, pgx.ErrNoRows) {
		return APIToken{}, ErrUnknown
	}
	if err != nil {
		return APIToken{}, fmt.Errorf("read API token: %w", err)
	}
	if subtle.ConstantTimeCompare(t.tokenSHA256, sum) != 1 {
		return APIToken{}, ErrUnknown
	}
	return t, nil
}
