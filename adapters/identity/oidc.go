package identity

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"docledger/adapters/apierror"
	"docledger/domain"
)

// Paths of staff login with OpenID Connect.
const (
	OIDCStartPath    = "/api/v1/auth/oidc/start"
	OIDCCallbackPath = "/api/v1/auth/oidc/callback"
	oidcCookie       = "dl_oidc"
)

// Refusals of an OIDC login.
var (
	ErrOIDCUnavailable = domain.NewErrorOf(domain.Unavailable, "oidc_unavailable", "staff login with OpenID Connect is not configured (LEDGER_OIDC_ISSUER)")
	ErrOIDCState       = domain.NewErrorOf(domain.Unauthenticated, "oidc_state_mismatch", "the login's state does not match this browser's (start again)")
	ErrOIDCRefused     = domain.NewErrorOf(domain.Unauthenticated, "oidc_refused", "the identity provider refused the login")
	ErrOIDCCode        = domain.NewErrorOf(domain.Unauthenticated, "oidc_code_invalid", "the identity provider did not accept the authorisation code")
	ErrOIDCToken       = domain.NewErrorOf(domain.Unauthenticated, "oidc_token_invalid", "the identity provider's ID token is not valid for this login")
)

// OIDCConfig configures staff login with an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (LEDGER_OIDC_ISSUER); its
	// discovery document is read at start.
	Issuer       string
	ClientID     string // LEDGER_OIDC_CLIENT_ID
	ClientSecret string // LEDGER_OIDC_CLIENT_SECRET
	// RedirectURL is this server's callback as the provider knows it
	// (LEDGER_OIDC_REDIRECT_URL, ending in /api/v1/auth/oidc/callback).
	RedirectURL string
	// IINClaim is the ID token claim carrying the employee's IIN (default
	// "iin"); the staff configuration gives the IIN its role.
	IINClaim string
	// HTTPClient talks to the provider (nil: a client with a 10s timeout).
	HTTPClient *http.Client
}

// OIDC is staff login with an OpenID Connect provider: the authorisation
// code flow with PKCE, state and nonce, the ID token verified against the
// provider's keys. It opens Staff sessions only.
type OIDC struct {
	auth     *Authenticator
	cfg      OIDCConfig
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC discovers the provider of cfg.Issuer and returns the login.
func NewOIDC(ctx context.Context, auth *Authenticator, cfg OIDCConfig) (*OIDC, error) {
	if auth == nil || cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("identity: OIDC needs an authenticator, an issuer, a client id and a redirect URL")
	}
	if cfg.IINClaim == "" {
		cfg.IINClaim = "iin"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC provider %s: %w", cfg.Issuer, err)
	}
	return &OIDC{
		auth: auth, cfg: cfg,
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: auth.cfg.Clock.Now}),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}},
	}, nil
}

// MountOIDC serves the OIDC login on mux; o nil answers 503 oidc_unavailable.
func MountOIDC(route Router, o *OIDC) {
	if o == nil {
		unavailable := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { apierror.WriteErr(w, ErrOIDCUnavailable) })
		route("GET "+OIDCStartPath, false, unavailable)
		route("GET "+OIDCCallbackPath, false, unavailable)
		return
	}
	route("GET "+OIDCStartPath, false, http.HandlerFunc(o.start))
	route("GET "+OIDCCallbackPath, false, http.HandlerFunc(o.callback))
}

// start sends the browser to the provider, remembering state, nonce and
// the PKCE verifier in a short-lived cookie.
func (o *OIDC) start(w http.ResponseWriter, r *http.Request) {
	var parts [2]string
	for i := range parts {
		s, err := newSecret(o.auth.cfg.Store.random, "")
		if err != nil {
			o.auth.writeErr(w, r, err)
			return
		}
		parts[i] = s
	}
	state, nonce, verifier := parts[0], parts[1], oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/api/v1/auth/oidc/",
		MaxAge: 600, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, o.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

// callback takes the provider's answer: it checks the state against the
// cookie, exchanges the code with the PKCE verifier, verifies the ID token
// and its nonce, and opens a staff session for the IIN claim.
func (o *OIDC) callback(w http.ResponseWriter, r *http.Request) {
	p, err := o.login(r)
	if err != nil {
		var de *domain.Error
		if errors.As(err, &de) {
			o.auth.cfg.Logger.InfoContext(r.Context(), "oidc login refused", "code", de.Code, "remote", r.RemoteAddr)
		}
		o.auth.writeErr(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/api/v1/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, SessionCookie(p.secret, p.session.ExpiresAt))
	w.Header().Set("Cache-Control", "no-store")
	apierror.WriteJSON(w, http.StatusOK, OIDCLoginResponse{SessionToken: p.secret, ExpiresAt: p.session.ExpiresAt.UTC(), IIN: p.session.Login.IIN,
		SessionID: p.session.ID.String(), Kind: "staff", StaffRole: string(p.session.Login.Staff)})
}

// OIDCLoginResponse answers a successful OIDC login.
type OIDCLoginResponse struct {
	SessionToken string    `json:"session_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	IIN          string    `json:"iin"`
	SessionID    string    `json:"session_id"`
	Kind         string    `json:"kind"`
	StaffRole    string    `json:"staff_role"`
}

type opened struct {
	session Session
	secret  string
}

func (o *OIDC) login(r *http.Request) (opened, error) {
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return opened{}, ErrOIDCState
	}
	remembered := strings.Split(c.Value, ".")
	q := r.URL.Query()
	if len(remembered) != 3 || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(remembered[0])) != 1 {
		return opened{}, ErrOIDCState
	}
	if e := q.Get("error"); e != "" {
		return opened{}, ErrOIDCRefused.Withf("%.100s", e)
	}
	ctx := oidc.ClientContext(r.Context(), o.cfg.HTTPClient)
	tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(remembered[2]))
	if err != nil {
		return opened{}, ErrOIDCCode
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return opened{}, ErrOIDCToken.Withf("no ID token")
	}
	idt, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return opened{}, ErrOIDCToken.Withf("%v", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(remembered[1])) != 1 {
		return opened{}, ErrOIDCToken.Withf("nonce mismatch")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return opened{}, ErrOIDCToken.Withf("claims: %v", err)
	}
	iin, _ := claims[o.cfg.IINClaim].(string)
	role, ok := o.auth.cfg.Staff.Role(iin)
	if !ok {
		return opened{}, ErrNotStaff
	}
	evidence, _ := json.Marshal(map[string]string{"oidc_issuer": idt.Issuer, "subject": idt.Subject})
	s, secret, err := o.auth.OpenDirect(r.Context(), Login{IIN: iin, Staff: role, Evidence: evidence})
	if err != nil {
		return opened{}, err
	}
	return opened{session: s, secret: secret}, nil
}
