package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"docledger/adapters/signature"
	"docledger/commands"
	"docledger/domain"
)

// edsVerifier adapts the signature adapter's Verifier to the port the party
// commands use (commands.SignatureVerifier): it verifies a document
// signature (a SIGN certificate), wants exactly one signer, and turns a
// refusal into a domain error coded "signature_<reason>".
type edsVerifier struct{ v *signature.Verifier }

func newEDSVerifier(trustDir string) (commands.SignatureVerifier, error) {
	if trustDir == "" {
		return nil, nil
	}
	trust, err := signature.LoadTrustDir(trustDir)
	if err != nil {
		return nil, fmt.Errorf("LEDGER_TRUST_DIR: %w", err)
	}
	v, err := signature.NewVerifier(signature.Config{Trust: trust})
	if err != nil {
		return nil, fmt.Errorf("LEDGER_TRUST_DIR: %w", err)
	}
	return edsVerifier{v}, nil
}

// ErrOneSigner refuses a CMS with several signers where one person acts.
var ErrOneSigner = domain.NewError("signature_one_signer_expected", "the signature must have exactly one signer")

// Verify verifies a document signature and returns who signed, the content
// hash, the signing time and the evidence record as JSON.
func (e edsVerifier) Verify(ctx context.Context, cms, content []byte, receivedAt time.Time) (commands.Signed, error) {
	ev, err := e.v.Verify(ctx, signature.Request{CMS: cms, Content: content, ReceivedAt: receivedAt, Purpose: signature.PurposeDocument})
	if err != nil {
		var se *signature.Error
		if errors.As(err, &se) {
			return commands.Signed{}, domain.NewError("signature_"+string(se.Code), se.Error())
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
