package demo

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/cmd/internal/app"
	"docledger/domain/kzid"
)

// TestIdentifiersValid: every demo IIN and BIN has a valid check digit, and
// each user's IIN/BIN matches the party it acts for.
func TestIdentifiersValid(t *testing.T) {
	for _, u := range Users {
		if id, err := kzid.Parse(u.IIN); err != nil || id.Kind != kzid.KindIIN {
			t.Errorf("user %s: IIN %s: %v", u.Login, u.IIN, err)
		}
		if u.BIN != "" {
			if id, err := kzid.Parse(u.BIN); err != nil || id.Kind != kzid.KindBIN {
				t.Errorf("user %s: BIN %s: %v", u.Login, u.BIN, err)
			}
		}
		if u.Party == "" {
			continue
		}
		p, ok := PartyByKey(u.Party)
		if !ok || (u.BIN != "" && p.IdentityNumber != u.BIN) || (u.BIN == "" && p.IdentityNumber != u.IIN) {
			t.Errorf("user %s does not match party %s", u.Login, u.Party)
		}
	}
	for _, p := range Parties {
		if !kzid.Valid(p.IdentityNumber) {
			t.Errorf("party %s: %s is not a valid IIN/BIN", p.Key, p.IdentityNumber)
		}
		if _, ok := OfferFor(p.Key); !ok {
			t.Errorf("party %s has no offer", p.Key)
		}
	}
}

// TestEnsureReuses: a second Ensure reuses every key and certificate; the
// certificates are NCA-shaped; the CRL in the trust directory is read
// through the verifier's client and nothing outside the directory is.
func TestEnsureReuses(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	a, err := Ensure(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Ensure(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Root.Cert.Equal(b.Root.Cert) || !a.Inter.Cert.Equal(b.Inter.Cert) || b.crlRefreshed {
		t.Fatal("a second Ensure made a new CA or CRL")
	}
	for _, u := range Users {
		ha, _ := a.Holder(u.Login)
		hb, _ := b.Holder(u.Login)
		if !ha.Sign.Equal(hb.Sign) || !ha.Auth.Equal(hb.Auth) {
			t.Errorf("%s: new certificates on the second Ensure", u.Login)
		}
		id := signature.IdentityOf(hb.Sign)
		if id.IIN != u.IIN || id.BIN != u.BIN || len(id.Roles) != len(u.Roles) {
			t.Errorf("%s: identity %+v", u.Login, id)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "ca", "root.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("root key: %v %v", fi, err)
	}
	c := app.TrustDirClient(b.TrustDir())
	resp, err := c.Get(CRLURL)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("CRL through the trust-dir client: %v %v", resp, err)
	}
	resp.Body.Close()
	for _, u := range []string{"file:///../ca/root.key", "file:///%2e%2e/ca/root.key"} {
		if resp, err := c.Get(u); err == nil && resp.StatusCode == http.StatusOK {
			var body bytes.Buffer
			body.ReadFrom(resp.Body)
			if bytes.Contains(body.Bytes(), []byte("PRIVATE KEY")) {
				t.Fatalf("%s read outside the trust directory", u)
			}
		}
	}

	// A signature by a legal entity's first head verifies with its roles.
	trust, err := signature.LoadTrustDir(b.TrustDir())
	if err != nil {
		t.Fatal(err)
	}
	v, err := signature.NewVerifier(signature.Config{Trust: trust, HTTPClient: c})
	if err != nil {
		t.Fatal(err)
	}
	cms, err := b.Sign("serik", []byte("x"), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms})
	if err != nil || !ev.Signers[0].Identity.HasRole(signature.RoleFirstHead) {
		t.Fatalf("serik's signature: %v", err)
	}
}

// TestEnsureRenews: a user certificate near its expiry is renewed.
func TestEnsureRenews(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	a, err := Ensure(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Ensure(dir, now.AddDate(0, 11, 10))
	if err != nil {
		t.Fatal(err)
	}
	ha, _ := a.Holder("erlan")
	hb, _ := b.Holder("erlan")
	if ha.Sign.Equal(hb.Sign) || !a.Inter.Cert.Equal(b.Inter.Cert) {
		t.Fatal("a certificate 20 days from expiry was not renewed, or the CA was")
	}
}
