package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
	"docledger/domain"
)

func TestEDSVerifier(t *testing.T) {
	if v, err := loadVerifier("", time.Now); v != nil || err != nil || newEDSVerifier(v) != nil {
		t.Fatalf("no trust dir: %v, %v", v, err)
	}
	if _, err := loadVerifier(t.TempDir(), time.Now); err == nil {
		t.Fatal("a trust dir without a root was accepted")
	}
	pki := sigtest.New(t)
	sv, err := loadVerifier(pki.TrustDir(t), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	v := newEDSVerifier(sv)
	content := []byte("договор")
	sum := sha256.Sum256(content)
	head := pki.Issue(t, sigtest.Spec{IIN: "850715400016", BIN: "990140000126", Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleFirstHead)}})
	s, err := v.Verify(context.Background(), pki.Sign(t, head, content, sigtest.SignOptions{}), nil, time.Now())
	if err != nil || s.Signer.IIN != "850715400016" || s.Signer.BIN != "990140000126" || !s.Signer.SignsForOrganisation ||
		s.ContentSHA256 != hex.EncodeToString(sum[:]) || len(s.Evidence) == 0 {
		t.Fatalf("valid signature: %+v, %v", s, err)
	}
	clerk := pki.Issue(t, sigtest.Spec{IIN: "770701300456", BIN: "990140000126", Key: sigtest.ECDSAP256, Roles: []string{string(signature.RoleEmployee)}})
	two := pki.AddSigner(t, pki.Sign(t, head, content, sigtest.SignOptions{}), nil, clerk, sigtest.SignOptions{})
	if _, err := v.Verify(context.Background(), two, nil, time.Now()); !errors.Is(err, ErrOneSigner) {
		t.Fatalf("two signers: %v", err)
	}
	auth := pki.Issue(t, sigtest.Spec{IIN: "850715400016", Auth: true, Key: sigtest.ECDSAP256})
	_, err = v.Verify(context.Background(), pki.Sign(t, auth, content, sigtest.SignOptions{}), nil, time.Now())
	if !errors.Is(err, domain.NewError("signature_auth_key_used_to_sign", "")) {
		t.Fatalf("an AUTH key signs: %v", err)
	}
}
