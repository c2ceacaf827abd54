package identity

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzParseSecret: the parser of what clients present never panics, and
// accepts only a known prefix followed by 32 bytes in base64url.
func FuzzParseSecret(f *testing.F) {
	s, _ := newSecret(bytes.NewReader(make([]byte, 32)), SessionPrefix)
	for _, seed := range []string{s, "dlt_" + strings.Repeat("A", 43), "dls_", "", "Bearer x", "dls_" + strings.Repeat("=", 43)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		prefix, err := parseSecret(in)
		if err != nil {
			if err != ErrMalformed {
				t.Fatalf("%q: %v", in, err)
			}
			return
		}
		rest, ok := strings.CutPrefix(in, prefix)
		b, derr := base64.RawURLEncoding.DecodeString(rest)
		if !ok || (prefix != SessionPrefix && prefix != TokenPrefix) || derr != nil || len(b) != secretBytes {
			t.Fatalf("%q accepted as %q", in, prefix)
		}
	})
}
