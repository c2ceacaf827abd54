// Package signature verifies Kazakhstan EDS (ЭЦП) signatures made with NCA RK
// certificates and keeps the evidence that proves them later.
//
// A Verifier checks CMS/PKCS #7 signatures (attached or detached, one or more
// signers, DER, PEM or base64) and raw signatures: the signature itself, the
// signing time (an RFC 3161 timestamp token when the CMS carries one, else the
// time the ledger received it), the chain to a configured trust anchor at that
// time, the key usage (SIGN certificates sign documents, AUTH certificates
// log in), revocation of the signer's and the intermediate CA certificates
// (OCSP with a nonce, CRL as the fallback, a policy when neither answers) and
// RFC 5652 countersignatures. The result is an Evidence value that events
// carry and that Reverify re-checks later as of the original signing time.
//
// Authorize applies the authority rules (who may sign for a party) as a pure
// function. Every refusal carries a stable Code.
//
// Algorithms: RSA and ECDSA through crypto/x509, and the Kazakh GOST schemes
// — GOST 34.310-2004 with GOST 34.311-95, GOST 34.10-2015 (256 and 512) with
// GOST 34.11-2015 — in CMS signers, certificate chains, OCSP answers, CRLs
// and timestamp tokens (curve parameters and key decoding from go-cryptobin,
// verification in internal/gostec, Streebog in internal/streebog). Other
// GOST variants are refused with CodeUnsupportedAlgorithm, never reported
// valid (see docs/signatures.md).
package signature
