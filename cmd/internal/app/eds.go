package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"docledger/adapters/apierror"
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
func (a *App) mountLogin(mux *http.ServeMux) error {
	if a.Signatures == nil {
		mux.HandleFunc("/api/v1/auth/eds/", func(w http.ResponseWriter, r *http.Request) {
			apierror.WriteErr(w, ErrLoginUnavailable)
		})
		return nil
	}
	store, err := edslogin.NewStore(a.Pool)
	if err != nil {
		return err
	}
	h, err := edslogin.NewHandler(edslogin.Config{Store: store, Verifier: a.Signatures, Logger: a.Log, Clock: a.clock.Now})
	if err != nil {
		return err
	}
	a.logins = store
	mux.Handle("/api/v1/auth/eds/", h)
	return nil
}

// sweepLogins deletes expired nonces and sessions every interval until ctx ends.
func (a *App) sweepLogins(ctx context.Context, interval time.Duration) {
	if a.logins == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.logins.DeleteExpired(ctx, a.clock.Now()); err != nil && ctx.Err() == nil {
				a.Log.Warn("delete expired EDS nonces and sessions", "err", err)
			}
		}
	}
}
