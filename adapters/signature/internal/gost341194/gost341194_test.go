package gost341194

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"

	gostcipher "github.com/deatil/go-cryptobin/cipher/gost"
	ref "github.com/deatil/go-cryptobin/hash/gost/gost341194"

	"docledger/adapters/signature/internal/gost28147"
)

// The digests equal go-cryptobin's (over the same cipher) for every length
// around the block boundaries, written at once and byte by byte.
func TestSameAsGoCryptobin(t *testing.T) {
	sb := gost28147.NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
	for n := 0; n < 200; n += 3 {
		msg := make([]byte, n)
		rand.Read(msg)
		r := ref.New(sb.NewCipher)
		r.Write(msg)
		want := r.Sum(nil)
		h := New(sb)
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("len %d: %x, want %x", n, got, want)
		}
		h.Reset()
		for i := range msg {
			h.Write(msg[i : i+1])
		}
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			t.Fatalf("len %d bytewise: %x, want %x", n, got, want)
		}
	}
}

func BenchmarkHash64K(b *testing.B) {
	sb := gost28147.NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h := New(sb)
		h.Write(buf)
		h.Sum(nil)
	}
}

// Examples of GOST R 34.11-94 with the test parameter set: the digests of
// the empty message and of "abc" as they are usually published, which is
// the byte order the hash outputs.
func TestPublishedVectors(t *testing.T) {
	sb := gost28147.NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
	for msg, want := range map[string]string{
		"":    "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d",
		"abc": "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d",
	} {
		h := New(sb)
		h.Write([]byte(msg))
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Fatalf("%q: %s, want %s", msg, got, want)
		}
	}
}
