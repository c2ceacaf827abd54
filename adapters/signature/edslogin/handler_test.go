package edslogin_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"docledger/adapters/pgtest"
	"docledger/adapters/signature"
	"docledger/adapters/signature/edslogin"
	"docledger/adapters/signature/sigtest"
)

type rig struct {
	srv   *httptest.Server
	pki   *sigtest.PKI
	store *edslogin.Store
	now   atomic.Pointer[time.Time]
	start time.Time
}

func newRig(t *testing.T) *rig {
	t.Helper()
	pool, _ := pgtest.NewPool(t)
	store, err := edslogin.NewStore(pool)
	if err != nil {
		t.Fatal(err)
	}
	start := epoch
	r := &rig{store: store, start: start}
	r.now.Store(&start)
	clock := func() time.Time { return *r.now.Load() }
	// The PKI, the verifier and the handler share the rig's clock.
	r.pki = sigtest.NewAt(t, clock)
	v, err := signature.NewVerifier(signature.Config{Trust: signature.NewTrustStore(r.pki.Trust(), nil), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := edslogin.NewHandler(edslogin.Config{Store: store, Verifier: v, Clock: clock, NonceTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(h)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) post(t *testing.T, path string, body any) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	switch b := body.(type) {
	case string:
		buf.WriteString(b)
	default:
		json.NewEncoder(&buf).Encode(b)
	}
	resp, err := http.Post(r.srv.URL+path, "application/json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s: response is not JSON: %v", path, err)
	}
	return resp.StatusCode, out
}

func (r *rig) nonce(t *testing.T) string {
	t.Helper()
	st, body := r.post(t, edslogin.NoncePath, "")
	n, _ := body["nonce"].(string)
	if st != http.StatusOK || len(n) < 32 || body["expires_at"] == nil {
		t.Fatalf("nonce: %d %v", st, body)
	}
	return n
}

func errorCode(t *testing.T, st int, body map[string]any) string {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok || st < 400 || st >= 500 {
		t.Fatalf("want a 4xx JSON error, got %d %v", st, body)
	}
	if m, _ := e["message"].(string); m == "" {
		t.Fatalf("error without message: %v", body)
	}
	c, _ := e["code"].(string)
	return c
}

func TestLoginOpensASessionBoundToTheSigner(t *testing.T) {
	r := newRig(t)
	auth := r.pki.Issue(t, sigtest.Spec{IIN: "850505400456", BIN: "123456789012", Auth: true, Key: sigtest.ECDSAP256,
		Roles: []string{string(signature.RoleOrganisation), string(signature.RoleEmployee)}})
	for _, detached := range []bool{false, true} {
		n := r.nonce(t)
		cms := r.pki.Sign(t, auth, []byte(n), sigtest.SignOptions{Detached: detached})
		st, body := r.post(t, edslogin.LoginPath, edslogin.LoginRequest{Nonce: n, CMS: base64.StdEncoding.EncodeToString(cms)})
		if st != http.StatusOK || body["iin"] != "850505400456" || body["bin"] != "123456789012" {
			t.Fatalf("login: %d %v", st, body)
		}
		token, _ := body["session_token"].(string)
		sess, err := r.store.Session(context.Background(), token, r.start)
		if err != nil || sess.IIN != "850505400456" || sess.BIN != "123456789012" || sess.CertificateSerial != auth.Cert.SerialNumber.Text(16) {
			t.Fatalf("session %+v %v", sess, err)
		}
		if _, err := r.store.Session(context.Background(), token, r.start.Add(9*time.Hour)); err != edslogin.ErrSessionUnknown {
			t.Fatalf("expired session: %v", err)
		}

		// The same nonce and signature again: a replay.
		st, body = r.post(t, edslogin.LoginPath, edslogin.LoginRequest{Nonce: n, CMS: base64.StdEncoding.EncodeToString(cms)})
		if c := errorCode(t, st, body); c != "nonce_used" {
			t.Fatalf("replay: %s", c)
		}
	}
}

func TestLoginRefusals(t *testing.T) {
	r := newRig(t)
	auth := r.pki.Issue(t, sigtest.Spec{IIN: "850505400456", Auth: true, Key: sigtest.ECDSAP256})
	sign := r.pki.Issue(t, sigtest.Spec{IIN: "850505400456", Key: sigtest.ECDSAP256})
	b64 := base64.StdEncoding.EncodeToString

	t.Run("expired nonce", func(t *testing.T) {
		n := r.nonce(t)
		later := r.start.Add(2 * time.Minute)
		r.now.Store(&later)
		defer r.now.Store(&r.start)
		st, body := r.post(t, edslogin.LoginPath, edslogin.LoginRequest{Nonce: n, CMS: b64(r.pki.Sign(t, auth, []byte(n), sigtest.SignOptions{}))})
		if c := errorCode(t, st, body); c != "nonce_expired" {
			t.Fatal(c)
		}
	})
	cases := []struct {
		name string
		body func() any
		code string
	}{
		{"unknown nonce", func() any {
			n := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
			return edslogin.LoginRequest{Nonce: n, CMS: b64(r.pki.Sign(t, auth, []byte(n), sigtest.SignOptions{}))}
		}, "nonce_unknown"},
		{"SIGN certificate", func() any {
			n := r.nonce(t)
			return edslogin.LoginRequest{Nonce: n, CMS: b64(r.pki.Sign(t, sign, []byte(n), sigtest.SignOptions{}))}
		}, string(signature.CodeNotAuthCertificate)},
		{"signature over another nonce", func() any {
			n, other := r.nonce(t), r.nonce(t)
			return edslogin.LoginRequest{Nonce: n, CMS: b64(r.pki.Sign(t, auth, []byte(other), sigtest.SignOptions{}))}
		}, string(signature.CodeContentMismatch)},
		{"garbage signature", func() any {
			return edslogin.LoginRequest{Nonce: r.nonce(t), CMS: "bm90IGEgc2lnbmF0dXJl"}
		}, string(signature.CodeMalformedInput)},
		{"not JSON", func() any { return "{nonce" }, "invalid_request"},
		{"missing fields", func() any { return map[string]string{"nonce": "x"} }, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, body := r.post(t, edslogin.LoginPath, c.body())
			if got := errorCode(t, st, body); got != c.code {
				t.Fatalf("code %s, want %s (%v)", got, c.code, body)
			}
		})
	}
	t.Run("wrong method", func(t *testing.T) {
		resp, err := http.Get(r.srv.URL + edslogin.LoginPath)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatal(resp.Status)
		}
	})
}
