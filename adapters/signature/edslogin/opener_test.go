package edslogin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"docledger/adapters/pgtest"
	"docledger/adapters/signature"
	"docledger/adapters/signature/edslogin"
	"docledger/adapters/signature/sigtest"
	"docledger/domain"
)

// opener is a SessionOpener that refuses staff logins.
type opener struct{ calls []bool }

func (o *opener) OpenSession(_ context.Context, id signature.Identity, asStaff bool, _ []byte, now time.Time) (edslogin.Opened, error) {
	o.calls = append(o.calls, asStaff)
	if asStaff {
		return edslogin.Opened{}, domain.NewErrorOf(domain.Forbidden, "not_staff", "not staff")
	}
	return edslogin.Opened{Token: "dls_secret-for-" + id.IIN, SessionID: "s1", ExpiresAt: now.Add(time.Hour), Kind: "user",
		Cookie: &http.Cookie{Name: "dl_session", Value: "dls_secret-for-" + id.IIN, HttpOnly: true, Secure: true}}, nil
}

// With a SessionOpener, login hands the verified signer to it, sets its
// cookie when asked, answers its refusals with their codes, and logs
// refusals without secrets.
func TestLoginWithSessionOpener(t *testing.T) {
	pool, _ := pgtest.NewPool(t)
	store, err := edslogin.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	pki := sigtest.New(t)
	v, err := signature.NewVerifier(signature.Config{Trust: signature.NewTrustStore(pki.Trust(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	o := &opener{}
	h, err := edslogin.NewHandler(edslogin.Config{Store: store, Verifier: v, Sessions: o, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	auth := pki.Issue(t, sigtest.Spec{IIN: "850505400456", Auth: true, Key: sigtest.ECDSAP256})
	login := func(query, as string) (*http.Response, map[string]any) {
		resp, err := http.Post(srv.URL+edslogin.NoncePath, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		var n edslogin.NonceResponse
		json.NewDecoder(resp.Body).Decode(&n)
		resp.Body.Close()
		body, _ := json.Marshal(edslogin.LoginRequest{Nonce: n.Nonce, As: as,
			CMS: base64.StdEncoding.EncodeToString(pki.Sign(t, auth, []byte(n.Nonce), sigtest.SignOptions{}))})
		resp, err = http.Post(srv.URL+edslogin.LoginPath+query, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out := map[string]any{}
		json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	resp, out := login("", "")
	if resp.StatusCode != 200 || out["session_token"] != "dls_secret-for-850505400456" || out["kind"] != "user" || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("login: %d %v %v", resp.StatusCode, out, resp.Header)
	}
	resp, _ = login("?cookie=1", "user")
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "dl_session=dls_secret-for-850505400456") || !strings.Contains(c, "HttpOnly") {
		t.Fatalf("cookie %q", c)
	}
	resp, out = login("", "staff")
	if e, _ := out["error"].(map[string]any); resp.StatusCode != 403 || e["code"] != "not_staff" {
		t.Fatalf("staff: %d %v", resp.StatusCode, out)
	}
	if resp, _ = login("", "admin"); resp.StatusCode != 400 {
		t.Fatalf("as admin: %d", resp.StatusCode)
	}
	if len(o.calls) != 3 || o.calls[0] || o.calls[1] || !o.calls[2] {
		t.Fatalf("opener calls %v", o.calls)
	}
	if !strings.Contains(logs.String(), `"code":"not_staff"`) || strings.Contains(logs.String(), "dls_") {
		t.Fatalf("logs: %s", logs.String())
	}
}
