package app_test

import (
	"encoding/base64"
	"testing"

	"docledger/adapters/signature/sigtest"
)

// Login with EDS through a running ledgerd: a nonce, a CMS over it signed
// with an AUTH certificate, a session bound to the IIN; the nonce works once.
func TestLoginWithEDS(t *testing.T) {
	s, pki := edsServer(t)
	auth := pki.Issue(t, sigtest.Spec{IIN: "850715400016", Auth: true, Key: sigtest.ECDSAP256})
	code, n := s.do("POST", "/api/v1/auth/eds/nonce", nil, nil)
	nonce, _ := n["nonce"].(string)
	if code != 200 || nonce == "" {
		t.Fatalf("nonce: %d %v", code, n)
	}
	cms := base64.StdEncoding.EncodeToString(pki.Sign(t, auth, []byte(nonce), sigtest.SignOptions{}))
	code, login := s.do("POST", "/api/v1/auth/eds/login", map[string]string{"nonce": nonce, "cms": cms}, nil)
	if code != 200 || login["iin"] != "850715400016" || login["session_token"] == "" {
		t.Fatalf("login: %d %v", code, login)
	}
	if code, again := s.do("POST", "/api/v1/auth/eds/login", map[string]string{"nonce": nonce, "cms": cms}, nil); code < 400 || errCode(again) == "" {
		t.Fatalf("replayed nonce: %d %v", code, again)
	}
}

// Without trust anchors, login with EDS says why it is unavailable.
func TestLoginWithoutTrustAnchors(t *testing.T) {
	s := start(t)
	code, body := s.do("POST", "/api/v1/auth/eds/nonce", nil, nil)
	if code != 503 || errCode(body) != "eds_login_unavailable" {
		t.Fatalf("nonce without trust anchors: %d %v", code, body)
	}
}
