// Package demo is the demo of `make run`: a local PKI shaped like NCA RK's
// (generated at first start, reused afterwards), the demo parties, offers,
// acceptances and documents loaded through the command bus, and CMS signing
// with a demo user's key for `ledgerctl demo sign`.
//
// The PKI is for the demo only: its keys are written unencrypted under the
// clone's ./.data/demo-pki (never committed: .data is ignored), and its
// trust directory must never be given to a production ledgerd.
package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/digitorus/pkcs7"
)

// The NCA RK role OIDs the demo certificates carry in their extended key
// usage, as NCA does (docs/signatures.md).
const (
	RoleIndividual   = "1.2.398.3.3.4.1.1"
	RoleOrganisation = "1.2.398.3.3.4.1.2"
	RoleFirstHead    = "1.2.398.3.3.4.1.2.1"
	RoleMaySign      = "1.2.398.3.3.4.1.2.2"
	RoleEmployee     = "1.2.398.3.3.4.1.2.5"
)

// CRLName is the file, in the trust directory, of the intermediate CA's
// CRL. The demo leaves name it as their CRL distribution point
// file:///demo-intermediate.crl, which ledgerd resolves in its trust
// directory (cmd/internal/app: a file: URL is read from LEDGER_TRUST_DIR).
const CRLName = "demo-intermediate.crl"

// CRLURL is the CRL distribution point of every demo leaf.
const CRLURL = "file:///" + CRLName

// PKI is the demo PKI on disk.
type PKI struct {
	// Dir is where it lives (./.data/demo-pki).
	Dir          string
	Root, Inter  *CA
	users        map[string]*Holder
	crlRefreshed bool
}

// CA is a certification authority of the demo PKI.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Holder is a demo user's pair of certificates: SIGN (nonRepudiation,
// signs documents and acceptances) and AUTH (digitalSignature and
// keyAgreement, clientAuth: logs in).
type Holder struct {
	User       User
	Sign, Auth *x509.Certificate
	SignKey    crypto.Signer
	AuthKey    crypto.Signer
}

// TrustDir is the directory ledgerd trusts (LEDGER_TRUST_DIR): the root,
// the intermediate and the intermediate's CRL.
func (p *PKI) TrustDir() string { return filepath.Join(p.Dir, "trust") }

// Holder returns the certificates and keys of the demo user name.
func (p *PKI) Holder(name string) (*Holder, bool) {
	h, ok := p.users[name]
	return h, ok
}

// Ensure loads the demo PKI from dir, creating whatever is missing: the
// root and intermediate CA, a SIGN and an AUTH certificate for every demo
// user (renewed when less than 30 days from expiry or not issued by the
// intermediate), and the intermediate's CRL (re-signed when it is less than
// 30 days from its nextUpdate). What exists is reused, so running it again changes
// nothing.
func Ensure(dir string, now time.Time) (*PKI, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &PKI{Dir: abs, users: map[string]*Holder{}}
	for _, d := range []string{"trust", "ca", "users"} {
		if err := os.MkdirAll(filepath.Join(abs, d), 0o700); err != nil {
			return nil, err
		}
	}
	if p.Root, err = p.ca("root", "DocLedger DEMO Root CA (not NCA RK)", nil, now); err != nil {
		return nil, err
	}
	if p.Inter, err = p.ca("intermediate", "DocLedger DEMO NCA-like CA (not NCA RK)", p.Root, now); err != nil {
		return nil, err
	}
	for _, u := range Users {
		h := &Holder{User: u}
		if h.Sign, h.SignKey, err = p.leaf(u, false, now); err != nil {
			return nil, fmt.Errorf("demo pki: %s: %w", u.Login, err)
		}
		if h.Auth, h.AuthKey, err = p.leaf(u, true, now); err != nil {
			return nil, fmt.Errorf("demo pki: %s: %w", u.Login, err)
		}
		p.users[u.Login] = h
	}
	if err := p.crl(now); err != nil {
		return nil, err
	}
	return p, nil
}

// Open loads an existing demo PKI without creating anything.
func Open(dir string) (*PKI, error) {
	if _, err := os.Stat(filepath.Join(dir, "ca", "intermediate.key")); err != nil {
		return nil, fmt.Errorf("no demo PKI in %s (make run, or ledgerctl demo, generates it): %w", dir, err)
	}
	return Ensure(dir, time.Now())
}

func (p *PKI) ca(name, cn string, parent *CA, now time.Time) (*CA, error) {
	certFile := filepath.Join(p.Dir, "trust", "demo-"+name+".pem")
	keyFile := filepath.Join(p.Dir, "ca", name+".key")
	if c, k, err := load(certFile, keyFile); err == nil {
		return &CA{Cert: c, Key: k}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: cn, Organization: []string{"DocLedger demo"}, Country: []string{"KZ"}},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	issuer, signer := tmpl, crypto.Signer(key)
	if parent != nil {
		tmpl.MaxPathLenZero = true
		tmpl.NotAfter = now.AddDate(8, 0, 0)
		issuer, signer = parent.Cert, parent.Key
	}
	c, err := create(tmpl, issuer, key.Public(), signer)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: c, Key: key}, store(certFile, keyFile, c, key)
}

func (p *PKI) leaf(u User, auth bool, now time.Time) (*x509.Certificate, crypto.Signer, error) {
	kind := "sign"
	if auth {
		kind = "auth"
	}
	dir := filepath.Join(p.Dir, "users", u.Login)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	certFile, keyFile := filepath.Join(dir, kind+".pem"), filepath.Join(dir, kind+".key")
	c, k, err := load(certFile, keyFile)
	switch {
	case err == nil && c.CheckSignatureFrom(p.Inter.Cert) == nil && c.NotAfter.After(now.AddDate(0, 0, 30)):
		return c, k, nil
	case err == nil:
		// Issued by an intermediate since replaced, or about to expire: a
		// new certificate and key.
	case !errors.Is(err, os.ErrNotExist):
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	name := pkix.Name{CommonName: u.Surname + " " + u.GivenName, SerialNumber: "IIN" + u.IIN, Country: []string{"KZ"},
		ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: u.Surname},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: u.GivenName},
			{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: u.Login + "@demo.docledger.kz"},
		}}
	if u.BIN != "" {
		name.OrganizationalUnit = []string{"BIN" + u.BIN}
		name.Organization = []string{u.Organisation}
	}
	tmpl := &x509.Certificate{SerialNumber: serial(), Subject: name, NotBefore: now.Add(-24 * time.Hour), NotAfter: now.AddDate(1, 0, 0),
		CRLDistributionPoints: []string{CRLURL}}
	if auth {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	}
	for _, r := range u.Roles {
		oid, err := parseOID(r)
		if err != nil {
			return nil, nil, err
		}
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, oid)
	}
	c, err = create(tmpl, p.Inter.Cert, key.Public(), p.Inter.Key)
	if err != nil {
		return nil, nil, err
	}
	return c, key, store(certFile, keyFile, c, key)
}

// crl writes the intermediate's (empty) CRL unless a fresh one is there.
func (p *PKI) crl(now time.Time) error {
	file := filepath.Join(p.TrustDir(), CRLName)
	if raw, err := os.ReadFile(file); err == nil {
		if l, err := x509.ParseRevocationList(raw); err == nil && l.CheckSignatureFrom(p.Inter.Cert) == nil && l.NextUpdate.After(now.AddDate(0, 0, 30)) {
			return nil
		}
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(now.Unix()), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.AddDate(0, 6, 0),
	}, p.Inter.Cert, p.Inter.Key)
	if err != nil {
		return fmt.Errorf("demo pki: crl: %w", err)
	}
	p.crlRefreshed = true
	return writeFile(file, der, 0o644)
}

// SignOptions shape a demo signature.
type SignOptions struct {
	// Detached leaves the content out of the CMS.
	Detached bool
	// Auth signs with the AUTH key (login), not the SIGN key.
	Auth bool
}

// Sign makes a CMS SignedData (DER) over content with the key of the demo
// user login, as NCALayer does: SHA-256, signed attributes, the signer's
// certificate and the intermediate's.
func (p *PKI) Sign(login string, content []byte, o SignOptions) ([]byte, error) {
	h, ok := p.users[login]
	if !ok {
		return nil, fmt.Errorf("no demo user %q (ledgerctl demo users lists them)", login)
	}
	cert, key := h.Sign, h.SignKey
	if o.Auth {
		cert, key = h.Auth, h.AuthKey
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	sd.AddCertificate(p.Inter.Cert)
	if o.Detached {
		sd.Detach()
	}
	return sd.Finish()
}

func create(tmpl, issuer *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func load(certFile, keyFile string) (*x509.Certificate, crypto.Signer, error) {
	cb, err := os.ReadFile(certFile)
	if err != nil {
		return nil, nil, err
	}
	kb, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	cblk, _ := pem.Decode(cb)
	kblk, _ := pem.Decode(kb)
	if cblk == nil || kblk == nil {
		return nil, nil, fmt.Errorf("demo pki: %s or %s is not PEM (delete the demo PKI directory to regenerate it)", certFile, keyFile)
	}
	c, err := x509.ParseCertificate(cblk.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("demo pki: %s: %w", certFile, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kblk.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("demo pki: %s: %w", keyFile, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("demo pki: %s: not a signing key", keyFile)
	}
	return c, s, nil
}

func store(certFile, keyFile string, c *x509.Certificate, key crypto.Signer) error {
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	return writeFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}

// writeFile writes atomically (a temporary file renamed), so an interrupted
// first start leaves no half-written key.
func writeFile(name string, b []byte, mode os.FileMode) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	return n.Add(n, big.NewInt(1))
}

func parseOID(s string) (asn1.ObjectIdentifier, error) {
	var o asn1.ObjectIdentifier
	n, digits := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 {
				return nil, fmt.Errorf("bad OID %q", s)
			}
			o = append(o, n)
			n, digits = 0, 0
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return nil, fmt.Errorf("bad OID %q", s)
		}
		n, digits = n*10+int(s[i]-'0'), digits+1
	}
	return o, nil
}

// sha256hex is the lowercase hex SHA-256 of b.
func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s)
}
