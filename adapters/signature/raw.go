package signature

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"time"
)

// RawRequest is a raw signature over data made with the key of Certificate,
// as NCALayer's basic signing returns it (no CMS around it).
type RawRequest struct {
	Data      []byte
	Signature []byte // raw bytes, or base64
	// Certificate is DER, PEM or base64.
	Certificate []byte
	// Hash is the digest the signature was made with; zero means SHA-256.
	Hash       crypto.Hash
	ReceivedAt time.Time
	Purpose    Purpose
}

// VerifyRaw verifies a raw RSA (PKCS #1 v1.5) or ECDSA signature with the
// same checks as Verify, the signing time being req.ReceivedAt (a raw
// signature carries no timestamp). The errors are those of Verify.
func (v *Verifier) VerifyRaw(ctx context.Context, req RawRequest) (*Evidence, error) {
	certs, err := parseCertificates(req.Certificate)
	if err != nil {
		return nil, newErr(CodeMalformedInput, "certificate does not parse", err)
	}
	sig := req.Signature
	if dec, err := decodeBase64(sig); err == nil {
		sig = dec
	}
	if req.Hash == 0 {
		req.Hash = crypto.SHA256
	}
	if req.Purpose == "" {
		req.Purpose = PurposeDocument
	}
	now := v.now()
	if req.ReceivedAt.IsZero() {
		req.ReceivedAt = now
	}
	digestOID := map[crypto.Hash]string{crypto.SHA1: oidSHA1.String(), crypto.SHA256: oidSHA256.String(), crypto.SHA384: oidSHA384.String(), crypto.SHA512: oidSHA512.String()}[req.Hash]
	ev := &Evidence{Version: EvidenceVersion, VerifiedAt: now.UTC(), Purpose: req.Purpose, Offline: v.cfg.Offline, Detached: true}
	if digestOID == "" {
		return ev.refuse(errf(CodeUnsupportedAlgorithm, "hash %v is not supported", req.Hash))
	}
	sum := sha256.Sum256(req.Data)
	ev.ContentSHA256 = hex.EncodeToString(sum[:])
	cert := certs[0]
	h := req.Hash.New()
	h.Write(req.Data)
	se := SignerEvidence{Identity: IdentityOf(cert), Chain: [][]byte{cert.Raw}, DigestAlgorithm: digestOID,
		ContentDigest: h.Sum(nil), Signature: sig, Verdict: VerdictValid}
	switch cert.PublicKeyAlgorithm {
	case x509.RSA:
		se.SignatureAlgorithm = oidRSA.String()
	case x509.ECDSA:
		se.SignatureAlgorithm = oidECPublicKey.String()
	default:
		se.Verdict = VerdictInvalid
		se.Reasons = []Reason{reasonOf(errf(CodeUnsupportedAlgorithm, "key algorithm %v cannot be verified by this build", cert.PublicKeyAlgorithm), 0)}
		ev.Signers = append(ev.Signers, se)
		return ev.conclude()
	}
	err = v.check(&se, material{cert: cert, pool: certs[1:]}, req.ReceivedAt, req.Purpose)
	if err == nil {
		err = v.revocationFor(ctx, &se, cert)
	}
	if err != nil {
		se.Verdict = VerdictInvalid
		se.Reasons = append(se.Reasons, reasonOf(err, 0))
	}
	ev.Signers = append(ev.Signers, se)
	return ev.conclude()
}
