package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"docledger/adapters/apierror"
	"docledger/adapters/httpapi"
	"docledger/adapters/identity"
	"docledger/adapters/policy"
	"docledger/adapters/signature"
	"docledger/adapters/signature/edslogin"
	"docledger/commands"
	"docledger/domain"
)

// edsVerifier adapts the signature adapter's Verifier to the port the party
// commands use (commands.SignatureVerifier): it verifies a document
// signature (a SIGN certificate), wants exactly one signer, and turns a
// refusal into a domain error coded "signature_<reason>".
type edsVerifier struct{ v *signature.Verifier }

// loadVerifier returns the EDS verifier of the trust anchors in trustDir,
// or nil when trustDir is empty. Its OCSP answers are cached; its HTTP
// client also reads file: URLs from trustDir (TrustDirClient).
func loadVerifier(trustDir string, clock func() time.Time) (*signature.Verifier, error) {
	if trustDir == "" {
		return nil, nil
	}
	trust, err := signature.LoadTrustDir(trustDir)
	if err != nil {
		return nil, fmt.Errorf("LEDGER_TRUST_DIR: %w", err)
	}
	v, err := signature.NewVerifier(signature.Config{Trust: trust, OCSPCache: signature.NewOCSPCache(time.Hour), Clock: clock,
		HTTPClient: TrustDirClient(trustDir)})
	if err != nil {
		return nil, fmt.Errorf("LEDGER_TRUST_DIR: %w", err)
	}
	return v, nil
}

// TrustDirClient is the HTTP client the EDS verifier fetches OCSP answers
// and CRLs with: http and https as usual, and a file: URL from the trust
// directory, file:///NAME being dir/NAME (nothing outside dir can be read).
// A closed network keeps its CRLs beside its trust anchors this way; the
// demo PKI's certificates name their CRL as file:///demo-intermediate.crl.
// A CRL read so is still checked like a fetched one (signed by the issuer,
// not stale), and the evidence records its URL and SHA-256.
func TrustDirClient(dir string) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.RegisterProtocol("file", http.NewFileTransport(http.Dir(dir)))
	return &http.Client{Transport: t, Timeout: 10 * time.Second}
}

// newEDSVerifier is the commands' port on v (nil when v is nil).
func newEDSVerifier(v *signature.Verifier) commands.SignatureVerifier {
	if v == nil {
		return nil
	}
	return edsVerifier{v}
}

// ErrLoginUnavailable answers the EDS login endpoints when no trust anchors
// are configured.
var ErrLoginUnavailable = domain.NewErrorOf(domain.Unavailable, "eds_login_unavailable", "login with EDS needs LEDGER_TRUST_DIR (the NCA RK trust anchors)")

// ErrOneSigner refuses a CMS with several signers where one person acts.
var ErrOneSigner = domain.NewError("signature_one_signer_expected", "the signature must have exactly one signer")

// Verify verifies a document signature and returns who signed, the content
// hash, the signing time and the evidence record as JSON.
func (e edsVerifier) Verify(ctx context.Context, cms, content []byte, receivedAt time.Time) (commands.Signed, error) {
	ev, err := e.v.Verify(ctx, signature.Request{CMS: cms, Content: content, ReceivedAt: receivedAt, Purpose: signature.PurposeDocument})
	if err != nil {
		var se *signature.Error
		if errors.As(err, &se) {
			kind := domain.Invalid
			if se.Code == signature.CodeRevocationUnavailable {
				kind = domain.Unavailable // no OCSP or CRL answer: worth a retry
			}
			return commands.Signed{}, domain.NewErrorOf(kind, "signature_"+string(se.Code), se.Error())
		}
		return commands.Signed{}, err
	}
	if len(ev.Signers) != 1 {
		return commands.Signed{}, ErrOneSigner.Withf("%d signers", len(ev.Signers))
	}
	s := ev.Signers[0]
	evidence, err := json.Marshal(ev)
	if err != nil {
		return commands.Signed{}, fmt.Errorf("encode signature evidence: %w", err)
	}
	return commands.Signed{
		Signer: commands.Signer{IIN: s.Identity.IIN, BIN: s.Identity.BIN,
			SignsForOrganisation: s.Identity.HasRole(signature.RoleFirstHead) || s.Identity.HasRole(signature.RoleMaySign)},
		ContentSHA256: ev.ContentSHA256, SigningTime: s.SigningTime, Evidence: evidence,
	}, nil
}

// mountLogin serves login with EDS (docs/signatures.md) on mux when a
// verifier is configured; without one, its endpoints answer 503 with a code
// that says so.
func (a *App) mountLogin(route httpapi.MountFunc) error {
	// The identity endpoints: logout ends the session it is called with
	// (any authenticated principal), OIDC is how staff get one (public), a
	// party's API tokens are managed by those who manage the party.
	identityRoute := func(pattern string, onParty bool, h http.Handler) {
		switch {
		case onParty:
			route(pattern, httpapi.Rule{Action: policy.PartyManage, From: httpapi.PartyInPath}, h)
		case pattern == "POST "+identity.LogoutPath:
			route(pattern, httpapi.Rule{Action: policy.SessionEnd}, h)
		default:
			route(pattern, httpapi.Public, h)
		}
	}
	a.Identity.Mount(identityRoute)
	identity.MountOIDC(identityRoute, a.OIDC)
	// Logging in is how a principal gets credentials: public.
	if a.Signatures == nil {
		route("/api/v1/auth/eds/", httpapi.Public, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			apierror.WriteErr(w, ErrLoginUnavailable)
		}))
		return nil
	}
	store, err := edslogin.NewStore(a.Pool)
	if err != nil {
		return err
	}
	h, err := edslogin.NewHandler(edslogin.Config{Store: store, Verifier: a.Signatures, Sessions: a.Identity, Logger: a.Log, Clock: a.clock.Now})
	if err != nil {
		return err
	}
	a.logins = store
	route("/api/v1/auth/eds/", httpapi.Public, h)
	return nil
}

// sweepLogins deletes expired nonces and sessions every interval until ctx
// ends. Expired identity sessions are kept a day past their expiry, so that
// a late request still hears session_expired rather than credentials_unknown.
func (a *App) sweepLogins(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if a.logins != nil {
				if _, err := a.logins.DeleteExpired(ctx, a.clock.Now()); err != nil && ctx.Err() == nil {
					a.Log.Warn("delete expired EDS nonces and sessions", "err", err)
				}
			}
			if _, err := a.Identity.Store().DeleteExpired(ctx, a.clock.Now().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
				a.Log.Warn("delete expired sessions", "err", err)
			}
		}
	}
}

// The identity adapter is the API's Authenticator: httpapi.Config takes
// App.Identity as it is.
var _ httpapi.Authenticator = (*identity.Authenticator)(nil)

// newIdentity is the authenticator of sessions and API tokens, with the
// staff of LEDGER_STAFF_FILE.
func newIdentity(cfg Config, pool *pgxpool.Pool, clock domain.Clock, log *slog.Logger) (*identity.Authenticator, error) {
	staff, err := identity.LoadStaff(cfg.StaffFile)
	if err != nil {
		return nil, fmt.Errorf("LEDGER_STAFF_FILE: %w", err)
	}
	store, err := identity.NewStore(pool, nil)
	if err != nil {
		return nil, err
	}
	return identity.New(identity.Config{Store: store, Staff: staff, Clock: clock, SessionTTL: cfg.SessionTTL,
		IdleTimeout: cfg.SessionIdle, Logger: log})
}
