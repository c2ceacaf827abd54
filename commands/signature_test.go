package commands

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"docledger/domain"
	"docledger/domain/party"
	"docledger/domain/profile"
)

// fakeVerifier accepts the CMS "good" (signed by IIN 900101300126 at
// signedAt) and refuses anything else.
type fakeVerifier struct{ calls int }

var signedAt = time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC)

func (f *fakeVerifier) Verify(_ context.Context, cms, _ []byte, _ time.Time) (Signed, error) {
	f.calls++
	if string(cms) != "good" {
		return Signed{}, domain.NewError("signature_malformed_cms", "not a CMS")
	}
	return Signed{Signer: Signer{IIN: "900101300126"}, ContentSHA256: "00", SigningTime: signedAt, Evidence: json.RawMessage(`{"verdict":"valid"}`)}, nil
}

func TestProofs(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	good := &SignatureInput{CMS: base64.StdEncoding.EncodeToString([]byte("good"))}
	future := now.Add(time.Minute)
	tests := []struct {
		name  string
		v     SignatureVerifier
		in    []ProofInput
		calls int
		err   error
	}{
		{"a signature becomes its evidence", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofEDS, Signature: good}, {Kind: profile.ProofCheckbox}}, 1, nil},
		{"no verifier", nil, []ProofInput{{Kind: profile.ProofEDS, Signature: good}}, 0, ErrSignatureUnavailable},
		{"a refused signature", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofEDS, Signature: &SignatureInput{CMS: base64.StdEncoding.EncodeToString([]byte("bad"))}}}, 1,
			domain.NewError("signature_malformed_cms", "")},
		{"not base64", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofEDS, Signature: &SignatureInput{CMS: "!!"}}}, 0, domain.ErrValidation},
		{"evidence from the client", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofEDS, Evidence: json.RawMessage(`{}`)}}, 0, domain.ErrValidation},
		{"an EDS proof without its signature", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofEDS}}, 0, party.ErrProofMissing},
		{"a signature on a checkbox", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofCheckbox, Signature: good}}, 0, domain.ErrValidation},
		{"a proof dated in the future", &fakeVerifier{}, []ProofInput{{Kind: profile.ProofPhone, At: &future}}, 0, domain.ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prs, signed, err := proofs(context.Background(), tt.v, tt.in, now)
			if !errors.Is(err, tt.err) || (err == nil) != (tt.err == nil) {
				t.Fatalf("got %v, want %v", err, tt.err)
			}
			if f, ok := tt.v.(*fakeVerifier); ok && f.calls != tt.calls {
				t.Fatalf("%d verifications, want %d", f.calls, tt.calls)
			}
			if err != nil {
				return
			}
			if len(prs) != 2 || len(signed) != 1 || !prs[0].At.Equal(signedAt) || string(prs[0].Evidence) != `{"verdict":"valid"}` || !prs[1].At.Equal(now) {
				t.Fatalf("proofs %+v, signed %+v", prs, signed)
			}
		})
	}
}
