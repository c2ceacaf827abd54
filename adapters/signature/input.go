package signature

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"

	"github.com/digitorus/pkcs7"
)

// maxInput bounds what the verifier reads as one CMS or certificate (16 MiB).
const maxInput = 16 << 20

// decodeDER accepts DER, PEM (any block type) or base64 (standard or URL
// alphabet, whitespace ignored) and returns DER bytes that at least start like
// an ASN.1 SEQUENCE.
func decodeDER(in []byte) ([]byte, error) {
	if len(in) == 0 {
		return nil, errf(CodeMalformedInput, "empty input")
	}
	if len(in) > maxInput {
		return nil, errf(CodeMalformedInput, "input larger than %d bytes", maxInput)
	}
	if in[0] == 0x30 {
		return in, nil
	}
	trimmed := bytes.TrimSpace(in)
	if bytes.HasPrefix(trimmed, []byte("-----BEGIN")) {
		blk, _ := pem.Decode(trimmed)
		if blk == nil {
			return nil, errf(CodeMalformedInput, "PEM block does not decode")
		}
		if len(blk.Bytes) == 0 || blk.Bytes[0] != 0x30 {
			return nil, errf(CodeMalformedInput, "PEM block is not DER")
		}
		return blk.Bytes, nil
	}
	s := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '\r', '\t':
			return -1
		}
		return r
	}, string(trimmed))
	var der []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if der, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errf(CodeMalformedInput, "neither DER, PEM nor base64")
	}
	if len(der) == 0 || der[0] != 0x30 {
		return nil, errf(CodeMalformedInput, "decoded input is not DER")
	}
	return der, nil
}

// parseCMS decodes in (DER, PEM or base64) as a CMS SignedData.
func parseCMS(in []byte) (p7 *pkcs7.PKCS7, err error) {
	der, err := decodeDER(in)
	if err != nil {
		return nil, err
	}
	// The parser has panicked on hostile input in the past; a panic here is a
	// malformed signature, not a crash of the ledger.
	defer func() {
		if r := recover(); r != nil {
			p7, err = nil, errf(CodeMalformedCMS, "CMS does not parse")
		}
	}()
	p7, err = pkcs7.Parse(der)
	if err != nil {
		if errors.Is(err, pkcs7.ErrUnsupportedContentType) {
			return nil, newErr(CodeMalformedCMS, "not a CMS SignedData", err)
		}
		return nil, newErr(CodeMalformedCMS, "CMS does not parse", err)
	}
	if len(p7.Signers) == 0 {
		return nil, errf(CodeNoSigners, "CMS has no signers")
	}
	return p7, nil
}

func decodeBase64(b []byte) ([]byte, error) {
	s := strings.Join(strings.Fields(string(b)), "")
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		var out []byte
		if out, err = enc.DecodeString(s); err == nil {
			return out, nil
		}
	}
	return nil, err
}
