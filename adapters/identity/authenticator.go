package identity

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"docledger/adapters/policy"
	"docledger/adapters/signature"
	"docledger/adapters/signature/edslogin"
	"docledger/domain"
)

// CookieName is the session cookie of the cabinet.
const CookieName = "dl_session"

// Config configures an Authenticator.
type Config struct {
	Store *Store
	// Staff are the operator's staff (LEDGER_STAFF_FILE); nil: none.
	Staff Staff
	// Clock is the time sessions expire by (default domain.SystemClock).
	Clock domain.Clock
	// SessionTTL is a session's absolute lifetime (default 8 hours).
	SessionTTL time.Duration
	// IdleTimeout ends a session unused this long (default 30 minutes).
	IdleTimeout time.Duration
	// TouchInterval is how often, at most, a session's last use is written
	// (default 1 minute): the idle timeout is that much coarse.
	TouchInterval time.Duration
	// Logger records refused credentials, never the secret (default
	// slog.Default()).
	Logger *slog.Logger
}

// Authenticator turns a request's credentials into a policy.Principal
// (httpapi.Authenticator), and opens sessions for EDS login
// (edslogin.SessionOpener).
type Authenticator struct {
	cfg    Config
	origin *http.CrossOriginProtection
}

var _ edslogin.SessionOpener = (*Authenticator)(nil)

// New returns an Authenticator, refusing a nil store.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Store == nil {
		return nil, errors.New("identity: authenticator needs a store")
	}
	if cfg.Clock == nil {
		cfg.Clock = domain.SystemClock
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.TouchInterval <= 0 {
		cfg.TouchInterval = time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Staff == nil {
		cfg.Staff = Staff{}
	}
	return &Authenticator{cfg: cfg, origin: http.NewCrossOriginProtection()}, nil
}

// Store is the authenticator's store.
func (a *Authenticator) Store() *Store { return a.cfg.Store }

// credentials are the secret a request carries and where it came from.
type credentials struct {
	secret     string
	fromCookie bool
}

// extract finds the request's secret: Authorization: Bearer first, then
// the session cookie. A cookie on an unsafe method from another origin
// (Sec-Fetch-Site, else Origin against Host: net/http's
// CrossOriginProtection) is ErrCrossOrigin; an Authorization header that
// is not a Bearer token is ErrMalformed. No credentials: an empty secret.
func (a *Authenticator) extract(r *http.Request) (credentials, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return credentials{}, ErrMalformed
		}
		return credentials{secret: strings.TrimSpace(secret)}, nil
	}
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return credentials{}, nil
	}
	if err := a.origin.Check(r); err != nil {
		return credentials{}, ErrCrossOrigin
	}
	return credentials{secret: c.Value, fromCookie: true}, nil
}

// Authenticate is the principal of r's credentials: Anonymous without any;
// a User or Staff for a live session (dls_...); a Token for a live API
// token (dlt_...). Errors (*domain.Error): ErrMalformed, ErrUnknown,
// ErrSessionExpired, ErrSessionIdle, ErrSessionRevoked,
// ErrCertificateCompromised, ErrStaffWithdrawn, ErrTokenRevoked,
// ErrCrossOrigin; a database failure is returned as is. A refusal writes
// nothing and is logged without the secret.
func (a *Authenticator) Authenticate(r *http.Request) (policy.Principal, error) {
	creds, err := a.extract(r)
	if err == nil && creds.secret == "" {
		return policy.Principal{Kind: policy.Anonymous}, nil
	}
	var p policy.Principal
	if err == nil {
		p, err = a.principal(r.Context(), creds.secret)
	}
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			a.cfg.Logger.InfoContext(r.Context(), "credentials refused", "code", de.Code, "method", r.Method,
				"path", r.URL.Path, "cookie", creds.fromCookie, "remote", r.RemoteAddr)
		}
		return policy.Principal{}, err
	}
	return p, nil
}

// principal checks secret at the clock's now.
func (a *Authenticator) principal(ctx context.Context, secret string) (policy.Principal, error) {
	prefix, err := parseSecret(secret)
	if err != nil {
		return policy.Principal{}, err
	}
	if prefix == TokenPrefix {
		t, err := a.cfg.Store.tokenBySecret(ctx, secret)
		if err != nil {
			return policy.Principal{}, err
		}
		if t.RevokedAt != nil {
			return policy.Principal{}, ErrTokenRevoked
		}
		return policy.Principal{Kind: policy.Token, PartyID: t.PartyID, Scopes: t.Scopes, Credential: t.ID.String()}, nil
	}
	s, err := a.cfg.Store.sessionBySecret(ctx, secret)
	if err != nil {
		return policy.Principal{}, err
	}
	now := a.cfg.Clock.Now()
	switch {
	case s.RevokedAt != nil:
		return policy.Principal{}, ErrSessionRevoked
	case s.CompromisedAt != nil:
		return policy.Principal{}, ErrCertificateCompromised
	case !now.Before(s.ExpiresAt):
		return policy.Principal{}, ErrSessionExpired
	case !now.Before(s.LastSeenAt.Add(a.cfg.IdleTimeout)):
		return policy.Principal{}, ErrSessionIdle
	}
	p := policy.Principal{Kind: policy.User, IIN: s.Login.IIN, BIN: s.Login.BIN, CertRoles: s.Login.CertRoles,
		CertificateSerial: s.Login.CertificateSerial, Credential: s.ID.String()}
	if s.Login.Staff != "" {
		if role, ok := a.cfg.Staff.Role(s.Login.IIN); !ok || role != s.Login.Staff {
			return policy.Principal{}, ErrStaffWithdrawn
		}
		p.Kind, p.Staff = policy.Staff, s.Login.Staff
	}
	if !now.Before(s.LastSeenAt.Add(a.cfg.TouchInterval)) {
		if err := a.cfg.Store.touch(ctx, s.ID, now, a.cfg.TouchInterval); err != nil {
			return policy.Principal{}, err
		}
	}
	return p, nil
}

// OpenSession opens a session for the verified signer of an EDS login
// (edslogin.SessionOpener): a client's user, or with asStaff a staff
// member in the role the staff configuration gives the IIN (ErrNotStaff
// when it gives none). A certificate reported compromised is refused.
func (a *Authenticator) OpenSession(ctx context.Context, id signature.Identity, asStaff bool, evidence []byte, now time.Time) (edslogin.Opened, error) {
	l := Login{IIN: id.IIN, BIN: id.BIN, CertificateSerial: id.SerialNumber, Evidence: evidence}
	for _, r := range id.Roles {
		l.CertRoles = append(l.CertRoles, string(r))
	}
	if asStaff {
		role, ok := a.cfg.Staff.Role(id.IIN)
		if !ok {
			return edslogin.Opened{}, ErrNotStaff
		}
		l.Staff = role
	}
	s, secret, err := a.cfg.Store.OpenSession(ctx, l, now, now.Add(a.cfg.SessionTTL))
	if err != nil {
		return edslogin.Opened{}, err
	}
	kind := policy.User
	if asStaff {
		kind = policy.Staff
	}
	return edslogin.Opened{Token: secret, SessionID: s.ID.String(), ExpiresAt: s.ExpiresAt, Kind: string(kind),
		StaffRole: string(l.Staff), Cookie: SessionCookie(secret, s.ExpiresAt)}, nil
}

// OpenDirect opens a session for l without a login signature: ledgerctl
// login --demo, a local operator tool. The session lasts SessionTTL.
func (a *Authenticator) OpenDirect(ctx context.Context, l Login) (Session, string, error) {
	now := a.cfg.Clock.Now()
	return a.cfg.Store.OpenSession(ctx, l, now, now.Add(a.cfg.SessionTTL))
}

// SessionCookie is the cabinet's cookie carrying a session secret:
// HttpOnly, Secure, SameSite=Lax, for the whole site, until expires.
func SessionCookie(secret string, expires time.Time) *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: secret, Path: "/", Expires: expires.UTC(), HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode}
}

// clearCookie removes the session cookie.
func clearCookie() *http.Cookie {
	return &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode}
}
