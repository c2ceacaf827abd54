// Package sigtest builds a test PKI at test time for the signature adapter and
// its users: an NCA-like root and intermediate CA, SIGN and AUTH certificates
// with NCA identity fields and roles, a real OCSP responder, a CRL and an
// RFC 3161 TSA served over HTTP on loopback, and helpers that sign CMS the way
// NCALayer does. NewGOST makes the same PKI with GOST 34.10-2015 (512) CAs,
// OCSP answers, CRLs and TSA, and GOST leaves (2004, 2015-256, 2015-512)
// whose CMS are encoded as Kalkan encodes them; countersignatures can be
// added. Nothing in it is a mock: every answer is signed and verified with
// real keys.
package sigtest

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/ocsp"

	"docledger/adapters/signature/internal/ocspnonce"
)

// CA is a certification authority of the test PKI.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// GOST is the CA's key in a GOST PKI (NewGOST); Key is nil then.
	GOST *GOSTKey
}

// Leaf is an end-entity certificate with its key and the intermediate
// certificates a CMS should carry.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// GOST is the key of a GOST certificate; Key is nil then.
	GOST  *GOSTKey
	Chain []*x509.Certificate
}

// Status is what the test OCSP responder answers for a certificate.
type Status int

// The answers. Good is the default.
const (
	Good Status = iota
	Revoked
	Unknown
)

// PKI is a test PKI with its OCSP responder, CRL and TSA servers. Its fields
// may be changed by a test between verifications; the servers read them
// under a lock.
type PKI struct {
	Root, Intermediate *CA
	// TSA is the timestamping certificate, issued by Intermediate.
	TSA *Leaf
	// OCSPServer, CRLServer and TSAServer run on loopback and are closed when
	// the test ends.
	OCSPServer, CRLServer, TSAServer *httptest.Server

	mu        sync.Mutex
	status    map[string]Status
	revokedAt map[string]time.Time
	tsaTime   func() time.Time
	// now dates certificates, OCSP answers and CRLs (NewAt).
	now       func() time.Time
	noNonce   bool
	responder *Leaf
	ocspDown  bool
	crlDown   bool
	gost      bool
	standIn   *ecdsa.PrivateKey // signs first what GOST signs again
	// OCSPRequests counts the requests the responder answered.
	OCSPRequests atomic.Int64
}

// New builds a PKI (ECDSA P-256 CAs) and starts its servers, on the wall
// clock.
func New(t testing.TB) *PKI { return newPKI(t, false, time.Now) }

// NewAt builds a PKI whose certificates, OCSP answers, CRLs and timestamps
// are dated by clock, so that tests of a fake business clock get material
// valid at its time.
func NewAt(t testing.TB, clock func() time.Time) *PKI { return newPKI(t, false, clock) }

// NewGOST builds a PKI whose root, intermediate, OCSP answers, CRL and TSA
// sign with GOST 34.10-2015 (512) keys, as NCA RK's GOST PKI does, and
// starts its servers. Its leaves take a GOST key type (Spec.Key), or an RSA
// or ECDSA key under the GOST CA.
func NewGOST(t testing.TB) *PKI { return newPKI(t, true, time.Now) }

// NewGOSTAt is NewGOST dated by clock (see NewAt).
func NewGOSTAt(t testing.TB, clock func() time.Time) *PKI { return newPKI(t, true, clock) }

// Now is the PKI's time: what its certificates, OCSP answers, CRLs and
// timestamps are dated by. A verifier of its material on the same clock
// (Config.Clock) sees them as the tests intend, whatever today's date is.
func (p *PKI) Now() time.Time { return p.now() }

func newPKI(t testing.TB, gost bool, clock func() time.Time) *PKI {
	t.Helper()
	now := clock()
	p := &PKI{status: map[string]Status{}, revokedAt: map[string]time.Time{}, tsaTime: clock, now: clock, gost: gost, standIn: ecKey(t)}
	rootTmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "TEST ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (ROOT)", Country: []string{"KZ"}},
		NotBefore: now.Add(-10 * 365 * 24 * time.Hour), NotAfter: now.Add(20 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if gost {
		k := NewGOSTKey(t, GOST2015_512)
		rootTmpl.Subject.CommonName = "TEST НЕГІЗГІ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST)"
		p.Root = &CA{GOST: k, Cert: createGOST(t, rootTmpl, nil, k, k, nil)}
		p.Intermediate = p.NewCA(t, p.Root, "TEST ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST)")
	} else {
		rootKey := ecKey(t)
		p.Root = &CA{Key: rootKey, Cert: create(t, rootTmpl, nil, rootKey.Public(), rootKey)}
		p.Intermediate = p.NewCA(t, p.Root, "TEST ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA)")
	}

	mux := http.NewServeMux()
	p.OCSPServer = httptest.NewServer(http.HandlerFunc(p.serveOCSP))
	p.CRLServer = httptest.NewServer(http.HandlerFunc(p.serveCRL))
	mux.HandleFunc("/", p.serveTSA)
	p.TSAServer = httptest.NewServer(mux)
	t.Cleanup(p.OCSPServer.Close)
	t.Cleanup(p.CRLServer.Close)
	t.Cleanup(p.TSAServer.Close)

	tsaTmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "TEST TSA", Country: []string{"KZ"}},
		NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	}
	if gost {
		k := NewGOSTKey(t, GOST2015_512)
		p.TSA = &Leaf{GOST: k, Chain: []*x509.Certificate{p.Intermediate.Cert}, Cert: createGOST(t, tsaTmpl, p.Intermediate.Cert, p.Intermediate.GOST, k, nil)}
		return p
	}
	tsaKey := ecKey(t)
	p.TSA = &Leaf{Key: tsaKey, Chain: []*x509.Certificate{p.Intermediate.Cert}, Cert: create(t, tsaTmpl, p.Intermediate, tsaKey.Public(), nil)}
	return p
}

// NewCA issues a CA certificate under parent.
func (p *PKI) NewCA(t testing.TB, parent *CA, name string) *CA {
	t.Helper()
	now := p.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: name, Country: []string{"KZ"}},
		NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(15 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if parent.GOST != nil {
		k := NewGOSTKey(t, GOST2015_512)
		return &CA{GOST: k, Cert: createGOST(t, tmpl, parent.Cert, parent.GOST, k, nil)}
	}
	key := ecKey(t)
	return &CA{Key: key, Cert: create(t, tmpl, parent, key.Public(), nil)}
}

// UseRevocableIntermediate replaces the PKI's intermediate (the issuer of
// later leaves and the signer of OCSP answers and the CRL) by a new one
// whose certificate names a CRL of the root (served at /root.crl, listing
// what SetStatus revoked), as NCA RK intermediates do. It returns it.
func (p *PKI) UseRevocableIntermediate(t testing.TB) *CA {
	t.Helper()
	now := p.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: "TEST ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (CRL)", Country: []string{"KZ"}},
		NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(15 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{p.CRLServer.URL + "/root.crl"},
	}
	var ca *CA
	if p.Root.GOST != nil {
		k := NewGOSTKey(t, GOST2015_512)
		ca = &CA{GOST: k, Cert: createGOST(t, tmpl, p.Root.Cert, p.Root.GOST, k, nil)}
	} else {
		key := ecKey(t)
		ca = &CA{Key: key, Cert: create(t, tmpl, p.Root, key.Public(), nil)}
	}
	p.mu.Lock()
	p.Intermediate = ca
	p.mu.Unlock()
	return ca
}

// NewRoot returns a separate self-signed root CA, not trusted by the PKI's
// trust directory.
func NewRoot(t testing.TB, name string) *CA { return NewRootAt(t, name, time.Now()) }

// NewRootAt is NewRoot for a PKI of NewAt: valid from an hour before now.
func NewRootAt(t testing.TB, name string, now time.Time) *CA {
	t.Helper()
	key := ecKey(t)
	return &CA{Key: key, Cert: create(t, &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: name},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, key.Public(), key)}
}

// KeyType chooses a leaf's key.
type KeyType int

// The key types a leaf may have.
const (
	RSA2048 KeyType = iota
	ECDSAP256
)

// Spec describes a leaf certificate as NCA RK issues them.
type Spec struct {
	IIN, BIN                       string
	CommonName, Surname, GivenName string
	Organization, Email            string
	// Roles are NCA role OIDs, put in the extended key usage as NCA does.
	Roles []string
	// Auth makes an AUTH certificate (digitalSignature+keyAgreement,
	// clientAuth) instead of a SIGN one (digitalSignature+nonRepudiation).
	Auth bool
	Key  KeyType
	// NotBefore and NotAfter default to a year around now.
	NotBefore, NotAfter time.Time
	// Issuer defaults to the PKI's intermediate.
	Issuer *CA
	// SelfSigned makes the certificate its own issuer.
	SelfSigned bool
	// NoOCSP and NoCRL leave out the responder URL or the CRL point.
	NoOCSP, NoCRL bool
}

// Issue creates a leaf certificate.
func (p *PKI) Issue(t testing.TB, s Spec) *Leaf {
	t.Helper()
	var key crypto.Signer
	var gk *GOSTKey
	switch s.Key {
	case GOST2015_512, GOST2015_256, GOST2004:
		gk = NewGOSTKey(t, s.Key)
	case ECDSAP256:
		key = ecKey(t)
	default:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	now := p.now()
	if s.NotBefore.IsZero() {
		s.NotBefore = now.Add(-24 * time.Hour)
	}
	if s.NotAfter.IsZero() {
		s.NotAfter = now.Add(365 * 24 * time.Hour)
	}
	name := pkix.Name{CommonName: s.CommonName, Country: []string{"KZ"}}
	if s.IIN != "" {
		name.SerialNumber = "IIN" + s.IIN
	}
	if s.BIN != "" {
		name.OrganizationalUnit = []string{"BIN" + s.BIN}
	}
	if s.Organization != "" {
		name.Organization = []string{s.Organization}
	}
	if s.Surname != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 4}, Value: s.Surname})
	}
	if s.GivenName != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 42}, Value: s.GivenName})
	}
	if s.Email != "" {
		name.ExtraNames = append(name.ExtraNames, pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, Value: s.Email})
	}
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: name, NotBefore: s.NotBefore, NotAfter: s.NotAfter}
	if s.Auth {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyAgreement
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	}
	for _, r := range s.Roles {
		tmpl.UnknownExtKeyUsage = append(tmpl.UnknownExtKeyUsage, mustOID(t, r))
	}
	if s.SelfSigned {
		if gk != nil {
			return &Leaf{GOST: gk, Cert: createGOST(t, tmpl, nil, gk, gk, nil)}
		}
		return &Leaf{Key: key, Cert: create(t, tmpl, nil, key.Public(), key)}
	}
	if !s.NoOCSP {
		tmpl.OCSPServer = []string{p.OCSPServer.URL}
	}
	if !s.NoCRL {
		tmpl.CRLDistributionPoints = []string{p.CRLServer.URL + "/nca.crl"}
	}
	issuer := s.Issuer
	if issuer == nil {
		issuer = p.Intermediate
	}
	var leaf *Leaf
	switch {
	case issuer.GOST != nil && gk != nil:
		leaf = &Leaf{GOST: gk, Cert: createGOST(t, tmpl, issuer.Cert, issuer.GOST, gk, nil)}
	case issuer.GOST != nil:
		leaf = &Leaf{Key: key, Cert: createGOST(t, tmpl, issuer.Cert, issuer.GOST, nil, key.Public())}
	case gk != nil:
		t.Fatal("sigtest: a GOST leaf needs a GOST issuer (NewGOST)")
	default:
		leaf = &Leaf{Key: key, Cert: create(t, tmpl, issuer, key.Public(), nil)}
	}
	if issuer != p.Root {
		leaf.Chain = []*x509.Certificate{issuer.Cert}
	}
	return leaf
}

// SetStatus sets what the OCSP responder and the CRL say of cert; revokedAt
// matters for Revoked only.
func (p *PKI) SetStatus(cert *x509.Certificate, s Status, revokedAt time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status[cert.SerialNumber.String()] = s
	p.revokedAt[cert.SerialNumber.String()] = revokedAt
}

// SetOCSPDown makes the OCSP responder answer HTTP 503.
func (p *PKI) SetOCSPDown(down bool) { p.mu.Lock(); p.ocspDown = down; p.mu.Unlock() }

// SetCRLDown makes the CRL server answer HTTP 503.
func (p *PKI) SetCRLDown(down bool) { p.mu.Lock(); p.crlDown = down; p.mu.Unlock() }

// SetResponder makes the OCSP responder sign with r (a delegated responder
// certificate issued by the intermediate) instead of the intermediate's own
// key; nil restores the intermediate.
func (p *PKI) SetResponder(r *Leaf) { p.mu.Lock(); p.responder = r; p.mu.Unlock() }

// NewResponder issues a delegated OCSP responder certificate under the
// intermediate, with the OCSPSigning usage unless withoutUsage.
func (p *PKI) NewResponder(t testing.TB, withoutUsage bool) *Leaf {
	t.Helper()
	key := ecKey(t)
	now := p.now()
	tmpl := &x509.Certificate{SerialNumber: serial(t), Subject: pkix.Name{CommonName: "TEST OCSP RESPONDER"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if !withoutUsage {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}
	if p.gost {
		k := NewGOSTKey(t, GOST2015_512)
		return &Leaf{GOST: k, Cert: createGOST(t, tmpl, p.Intermediate.Cert, p.Intermediate.GOST, k, nil)}
	}
	return &Leaf{Key: key, Cert: create(t, tmpl, p.Intermediate, key.Public(), nil)}
}

// SetNoNonce makes the OCSP responder leave out the nonce.
func (p *PKI) SetNoNonce(v bool) { p.mu.Lock(); p.noNonce = v; p.mu.Unlock() }

// SetTSATime sets the clock of the TSA.
func (p *PKI) SetTSATime(f func() time.Time) { p.mu.Lock(); p.tsaTime = f; p.mu.Unlock() }

// TrustDir writes the root certificate as PEM into a new temporary directory
// and returns it, as an operator would lay out NCA roots.
func (p *PKI) TrustDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw})
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (p *PKI) serveOCSP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	p.mu.Lock()
	down, noNonce := p.ocspDown, p.noNonce
	p.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if err != nil || r.Method != http.MethodPost {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	req, err := ocsp.ParseRequest(body)
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	nonce, err := ocspnonce.FromRequest(body)
	if err != nil {
		w.Write(ocsp.MalformedRequestErrorResponse)
		return
	}
	p.OCSPRequests.Add(1)
	p.mu.Lock()
	st, rev := p.status[req.SerialNumber.String()], p.revokedAt[req.SerialNumber.String()]
	p.mu.Unlock()
	now := p.now()
	tmpl := ocsp.Response{SerialNumber: req.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	switch st {
	case Revoked:
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, rev, ocsp.KeyCompromise
	case Unknown:
		tmpl.Status = ocsp.Unknown
	default:
		tmpl.Status = ocsp.Good
	}
	if nonce != nil && !noNonce {
		tmpl.ExtraExtensions = []pkix.Extension{ocspnonce.Extension(nonce)}
	}
	p.mu.Lock()
	responder, inter := p.responder, p.Intermediate
	p.mu.Unlock()
	signerCert, signerKey, signerGOST := inter.Cert, inter.Key, inter.GOST
	if responder != nil {
		signerCert, signerKey, signerGOST = responder.Cert, responder.Key, responder.GOST
		tmpl.Certificate = responder.Cert // embedded so that the client can check the delegation
	}
	if signerGOST != nil {
		signerKey = p.standIn // x/crypto signs, regostOCSP signs again with GOST
	}
	der, err := ocsp.CreateResponse(inter.Cert, signerCert, tmpl, signerKey)
	if err == nil && signerGOST != nil {
		der, err = regostOCSP(der, signerGOST)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(der)
}

func (p *PKI) serveCRL(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	ca := p.Intermediate
	if strings.HasSuffix(r.URL.Path, "/root.crl") {
		ca = p.Root
	}
	down := p.crlDown
	var entries []x509.RevocationListEntry
	for s, st := range p.status {
		if st == Revoked {
			n, _ := new(big.Int).SetString(s, 10)
			entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: p.revokedAt[s]})
		}
	}
	p.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	now := p.now()
	key := ca.Key
	if ca.GOST != nil {
		key = p.standIn
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(now.Unix()), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		RevokedCertificateEntries: entries,
	}, ca.Cert, key)
	if err == nil && ca.GOST != nil {
		// TBSCertList: version, signature, issuer, ...
		der, err = regostDER(der, 1, ca.GOST)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	w.Write(der)
}

func (p *PKI) serveTSA(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	at := p.tsaTime()
	p.mu.Unlock()
	if p.TSA.GOST != nil {
		tok, err := p.gostTokenDER(req.HashAlgorithm, req.HashedMessage, req.Nonce, at)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(tok)
		return
	}
	ts := timestamp.Timestamp{
		HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: at.UTC(),
		Policy: asn1.ObjectIdentifier{1, 2, 398, 3, 3, 2, 6, 1}, Nonce: req.Nonce, AddTSACertificate: true,
	}
	der, err := ts.CreateResponseWithOpts(p.TSA.Cert, p.TSA.Key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(der)
}

// Timestamp asks the PKI's TSA over HTTP for a token over sig (the SHA-256
// of the signature value is the message imprint) and returns the token.
func (p *PKI) Timestamp(t testing.TB, sig []byte) []byte {
	t.Helper()
	q, err := timestamp.CreateRequest(bytes.NewReader(sig), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(p.TSAServer.URL, "application/timestamp-query", bytes.NewReader(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sigtest: TSA: %v %d %s", err, resp.StatusCode, b)
	}
	if p.TSA.GOST != nil {
		// timestamp.ParseResponse would check the GOST signature, which
		// it cannot: take the token out of the TimeStampResp.
		var resp struct {
			Status asn1.RawValue
			Token  asn1.RawValue
		}
		if _, err := asn1.Unmarshal(b, &resp); err != nil {
			t.Fatal(err)
		}
		return resp.Token.FullBytes
	}
	ts, err := timestamp.ParseResponse(b)
	if err != nil {
		t.Fatal(err)
	}
	return ts.RawToken
}

// SignOptions shapes a CMS.
type SignOptions struct {
	// Detached leaves the content out.
	Detached bool
	// Timestamp adds an RFC 3161 token from the PKI's TSA.
	Timestamp bool
	// TimestampOf, when set with Timestamp, has the TSA stamp these bytes
	// instead of the signature value (a token that belongs elsewhere).
	TimestampOf []byte
	// Hash is the digest; zero means SHA-256.
	Hash crypto.Hash
	// NoSignedAttributes signs the content directly.
	NoSignedAttributes bool
	// SigningTime is put in the signingTime attribute when not zero.
	SigningTime time.Time
	// Mutate, when set, may change the signer info before the CMS is
	// encoded (to forge algorithm identifiers in tests). It gets the digest
	// and signature algorithm identifiers. Not for GOST signers or with
	// Countersigner.
	Mutate func(digest, sig *pkix.AlgorithmIdentifier)
	// KalkanOIDs makes a GOST signer info name the key OID as its
	// signature algorithm and leave out the digest parameters, as Kalkan
	// does.
	KalkanOIDs bool
	// Countersigner adds an RFC 5652 countersignature attribute made by
	// this leaf over the signer's signature value (or over CountersignOf,
	// to forge one that belongs elsewhere).
	Countersigner *Leaf
	CountersignOf []byte
}

var oidTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// Sign makes a CMS SignedData over content with leaf, as DER.
func (p *PKI) Sign(t testing.TB, leaf *Leaf, content []byte, o SignOptions) []byte {
	t.Helper()
	if leaf.GOST != nil || o.Countersigner != nil || o.KalkanOIDs {
		return p.signCMS(t, leaf, content, o)
	}
	sd := p.signed(t, leaf, content, o)
	if o.Detached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func (p *PKI) signed(t testing.TB, leaf *Leaf, content []byte, o SignOptions) *pkcs7.SignedData {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	switch o.Hash {
	case crypto.SHA1:
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA1)
	case crypto.SHA512:
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA512)
	default:
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	}
	var cfg pkcs7.SignerInfoConfig
	if !o.SigningTime.IsZero() {
		cfg.ExtraSignedAttributes = []pkcs7.Attribute{{Type: pkcs7.OIDAttributeSigningTime, Value: o.SigningTime.UTC()}}
	}
	if o.NoSignedAttributes {
		err = sd.SignWithoutAttr(leaf.Cert, leaf.Key, cfg)
		sd.AddCertificate(leaf.Cert)
	} else {
		err = sd.AddSigner(leaf.Cert, leaf.Key, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range leaf.Chain {
		sd.AddCertificate(c)
	}
	inner := sd.GetSignedData()
	si := &inner.SignerInfos[len(inner.SignerInfos)-1]
	if o.Timestamp {
		over := si.EncryptedDigest
		if o.TimestampOf != nil {
			over = o.TimestampOf
		}
		tok := p.Timestamp(t, over)
		if err := si.SetUnauthenticatedAttributes([]pkcs7.Attribute{{Type: oidTimeStampToken, Value: asn1.RawValue{FullBytes: tok}}}); err != nil {
			t.Fatal(err)
		}
	}
	if o.Mutate != nil {
		o.Mutate(&si.DigestAlgorithm, &si.DigestEncryptionAlgorithm)
	}
	return sd
}

// AddSigner adds a signer to an existing CMS (as NCALayer does for a second
// signature on the same document) and returns the new CMS. content is needed
// when cms is detached.
func (p *PKI) AddSigner(t testing.TB, cms, content []byte, leaf *Leaf, o SignOptions) []byte {
	t.Helper()
	old, err := pkcs7.Parse(cms)
	if err != nil {
		t.Fatal(err)
	}
	detached := len(old.Content) == 0
	if !detached {
		content = old.Content
	}
	sd := p.signed(t, leaf, content, o)
	inner := sd.GetSignedData()
	inner.SignerInfos = append(old.Signers, inner.SignerInfos...)
	for _, s := range old.Signers {
		dup := false
		for _, d := range inner.DigestAlgorithmIdentifiers {
			dup = dup || d.Algorithm.Equal(s.DigestAlgorithm.Algorithm)
		}
		if !dup {
			inner.DigestAlgorithmIdentifiers = append(inner.DigestAlgorithmIdentifiers, s.DigestAlgorithm)
		}
	}
	have := map[string]bool{string(leaf.Cert.Raw): true}
	for _, c := range leaf.Chain {
		have[string(c.Raw)] = true
	}
	for _, c := range old.Certificates {
		if !have[string(c.Raw)] {
			have[string(c.Raw)] = true
			sd.AddCertificate(c)
		}
	}
	if detached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// SignRaw signs data directly with leaf's key (SHA-256; PKCS #1 v1.5 for
// RSA, ASN.1 ECDSA), as NCALayer's basic signing does.
func SignRaw(t testing.TB, leaf *Leaf, data []byte) []byte {
	t.Helper()
	h := crypto.SHA256.New()
	h.Write(data)
	sig, err := leaf.Key.Sign(rand.Reader, h.Sum(nil), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// PEM encodes cert as PEM.
func PEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

func create(t testing.TB, tmpl *x509.Certificate, issuer *CA, pub crypto.PublicKey, selfKey crypto.Signer) *x509.Certificate {
	t.Helper()
	parent, key := tmpl, selfKey
	if issuer != nil {
		parent, key = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n.Add(n, big.NewInt(1))
}

func mustOID(t testing.TB, s string) asn1.ObjectIdentifier {
	var o asn1.ObjectIdentifier
	var n int
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			o = append(o, n)
			n = 0
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			t.Fatalf("sigtest: bad OID %q", s)
		}
		n = n*10 + int(s[i]-'0')
	}
	return o
}

// Trust returns the trust anchors of the PKI (its root).
func (p *PKI) Trust() []*x509.Certificate { return []*x509.Certificate{p.Root.Cert} }
