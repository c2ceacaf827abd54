package streebog

import (
	"bytes"
	"crypto/rand"
	"hash"
	"testing"

	"github.com/deatil/go-cryptobin/hash/gost/gost34112012256"
	"github.com/deatil/go-cryptobin/hash/gost/gost34112012512"
)

// The table-driven hash equals go-cryptobin's on random inputs of every
// length around the block boundaries, written in one piece and in pieces.
func TestSameAsGoCryptobin(t *testing.T) {
	for _, c := range []struct {
		name      string
		mine, ref func() hash.Hash
	}{{"512", New512, gost34112012512.New}, {"256", New256, gost34112012256.New}} {
		for n := 0; n < 300; n += 7 {
			msg := make([]byte, n)
			rand.Read(msg)
			ref := c.ref()
			ref.Write(msg)
			want := ref.Sum(nil)
			h := c.mine()
			h.Write(msg)
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s len %d: %x, want %x", c.name, n, got, want)
			}
			h.Reset()
			for i := range msg {
				h.Write(msg[i : i+1])
			}
			if got := h.Sum(nil); !bytes.Equal(got, want) {
				t.Fatalf("%s len %d bytewise: %x, want %x", c.name, n, got, want)
			}
		}
	}
}

func BenchmarkStreebog512(b *testing.B) {
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h := New512()
		h.Write(buf)
		h.Sum(nil)
	}
}
