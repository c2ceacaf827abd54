package edslogin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"docledger/adapters/apierror"
	"docledger/adapters/signature"
	"docledger/domain"
)

// Verifier verifies a login signature; *signature.Verifier is one.
type Verifier interface {
	Verify(ctx context.Context, req signature.Request) (*signature.Evidence, error)
}

// SessionOpener opens the session of a verified login (package
// adapters/identity implements it). Its refusals are *domain.Error values.
type SessionOpener interface {
	OpenSession(ctx context.Context, signer signature.Identity, asStaff bool, evidence []byte, now time.Time) (Opened, error)
}

// Opened is a session a SessionOpener opened.
type Opened struct {
	// Token is the session's secret, shown once.
	Token     string
	SessionID string
	ExpiresAt time.Time
	// Kind is "user" or "staff"; StaffRole the staff member's role.
	Kind      string
	StaffRole string
	// Cookie carries Token for a browser (set when the login asks ?cookie=1).
	Cookie *http.Cookie
}

// Config configures a Handler.
type Config struct {
	Store    *Store
	Verifier Verifier
	// Sessions opens the sessions; nil: Store keeps them (eds_login_sessions,
	// user sessions only).
	Sessions SessionOpener
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// NonceTTL is how long a nonce may be used; zero means 5 minutes.
	NonceTTL time.Duration
	// SessionTTL is how long a session lasts; zero means 8 hours.
	SessionTTL time.Duration
	// Random supplies nonces and session tokens; nil means crypto/rand.
	Random io.Reader
	// Logger logs server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Handler serves POST /api/v1/auth/eds/nonce and POST /api/v1/auth/eds/login.
type Handler struct {
	cfg Config
	mux *http.ServeMux
}

// Paths served by Handler.
const (
	NoncePath = "/api/v1/auth/eds/nonce"
	LoginPath = "/api/v1/auth/eds/login"
)

// NewHandler returns the login handler, refusing a nil store or verifier.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Verifier == nil {
		return nil, errors.New("edslogin: handler needs a store and a verifier")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.NonceTTL <= 0 {
		cfg.NonceTTL = 5 * time.Minute
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux()}
	h.mux.HandleFunc("POST "+NoncePath, h.nonce)
	h.mux.HandleFunc("POST "+LoginPath, h.login)
	return h, nil
}

// ServeHTTP routes the two endpoints; other paths and methods get a JSON
// error.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path != NoncePath && r.URL.Path != LoginPath:
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST")
	default:
		h.mux.ServeHTTP(w, r)
	}
}

// NonceResponse is the body of a successful nonce request.
type NonceResponse struct {
	// Nonce is the text the client signs (its UTF-8 bytes are the CMS content).
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expires_at"`
}

// LoginRequest is the body of a login request.
type LoginRequest struct {
	Nonce string `json:"nonce"`
	// CMS is the signature over the nonce, attached or detached, base64 or
	// PEM.
	CMS string `json:"cms"`
	// As is "user" (the default) or "staff": an operator's employee logs in
	// in the role the staff configuration gives their IIN.
	As string `json:"as,omitempty"`
}

// LoginResponse is the body of a successful login.
type LoginResponse struct {
	SessionToken string             `json:"session_token"`
	ExpiresAt    time.Time          `json:"expires_at"`
	IIN          string             `json:"iin"`
	BIN          string             `json:"bin,omitempty"`
	Signer       signature.Identity `json:"signer"`
	// SessionID names the session (not a secret), Kind is user or staff.
	SessionID string `json:"session_id,omitempty"`
	Kind      string `json:"kind,omitempty"`
	StaffRole string `json:"staff_role,omitempty"`
}

func (h *Handler) nonce(w http.ResponseWriter, r *http.Request) {
	n, err := h.random(32)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.cfg.Clock()
	exp := now.Add(h.cfg.NonceTTL)
	if err := h.cfg.Store.IssueNonce(r.Context(), n, now, exp); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NonceResponse{Nonce: n, ExpiresAt: exp.UTC()})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var req LoginRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || req.Nonce == "" || req.CMS == "" || (req.As != "" && req.As != "user" && req.As != "staff") {
		h.refuse(w, r, http.StatusBadRequest, "invalid_request", "body must be JSON {\"nonce\": ..., \"cms\": ..., \"as\": \"user\" or \"staff\" (optional)}")
		return
	}
	if req.As == "staff" && h.cfg.Sessions == nil {
		h.refuse(w, r, http.StatusForbidden, "not_staff", "staff login is not configured")
		return
	}
	now := h.cfg.Clock()
	if err := h.cfg.Store.ConsumeNonce(r.Context(), req.Nonce, now); err != nil {
		h.fail(w, r, err)
		return
	}
	ev, err := h.cfg.Verifier.Verify(r.Context(), signature.Request{
		CMS: []byte(req.CMS), Content: []byte(req.Nonce), ReceivedAt: now, Purpose: signature.PurposeLogin,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(ev.Signers) != 1 {
		h.refuse(w, r, http.StatusUnauthorized, "one_signer_required", "a login signature has exactly one signer")
		return
	}
	id := ev.Signers[0].Identity
	if id.IIN == "" {
		h.refuse(w, r, http.StatusUnauthorized, "signer_without_iin", "the certificate carries no IIN")
		return
	}
	evJSON, err := json.Marshal(ev)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if h.cfg.Sessions != nil {
		o, err := h.cfg.Sessions.OpenSession(r.Context(), id, req.As == "staff", evJSON, now)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if r.URL.Query().Get("cookie") == "1" && o.Cookie != nil {
			http.SetCookie(w, o.Cookie)
		}
		writeJSON(w, http.StatusOK, LoginResponse{SessionToken: o.Token, ExpiresAt: o.ExpiresAt.UTC(), IIN: id.IIN, BIN: id.BIN, Signer: id,
			SessionID: o.SessionID, Kind: o.Kind, StaffRole: o.StaffRole})
		return
	}
	token, err := h.random(32)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sess := Session{IIN: id.IIN, BIN: id.BIN, CertificateSerial: id.SerialNumber, OpenedAt: now, ExpiresAt: now.Add(h.cfg.SessionTTL)}
	if err := h.cfg.Store.OpenSession(r.Context(), token, sess, evJSON); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, LoginResponse{SessionToken: token, ExpiresAt: sess.ExpiresAt.UTC(), IIN: id.IIN, BIN: id.BIN, Signer: id})
}

func (h *Handler) random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(h.cfg.Random, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// fail maps an error to its response: the one place statuses are decided.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ErrNonceUnknown):
		h.refuse(w, r, http.StatusUnauthorized, "nonce_unknown", "the nonce was not issued by this server")
	case errors.Is(err, ErrNonceUsed):
		h.refuse(w, r, http.StatusUnauthorized, "nonce_used", "the nonce was already used")
	case errors.Is(err, ErrNonceExpired):
		h.refuse(w, r, http.StatusUnauthorized, "nonce_expired", "the nonce has expired")
	case signature.CodeOf(err) == signature.CodeMalformedInput || signature.CodeOf(err) == signature.CodeMalformedCMS ||
		signature.CodeOf(err) == signature.CodeNoSigners:
		h.refuse(w, r, http.StatusBadRequest, string(signature.CodeOf(err)), err.Error())
	case signature.CodeOf(err) != "":
		h.refuse(w, r, http.StatusUnauthorized, string(signature.CodeOf(err)), err.Error())
	default:
		// The session opener's refusals (certificate_compromised, not_staff).
		var de *domain.Error
		if errors.As(err, &de) {
			h.refuse(w, r, apierror.Status(de.KindOf()), de.Code, de.Message)
			return
		}
		h.cfg.Logger.ErrorContext(r.Context(), "eds login", "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error")
	}
}

// refuse answers a refused login and logs it: the code, never the nonce,
// the signature or a token.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	h.cfg.Logger.InfoContext(r.Context(), "eds login refused", "path", r.URL.Path, "status", status, "code", code, "remote", r.RemoteAddr)
	writeError(w, status, code, msg)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	apierror.Write(w, status, code, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) { apierror.WriteJSON(w, status, v) }
