package gost28147

import (
	"testing"

	gostcipher "github.com/deatil/go-cryptobin/cipher/gost"
	"github.com/deatil/go-cryptobin/hash/gost/gost341194"
)

func BenchmarkHash64K(b *testing.B) {
	sb := NewSbox(gostcipher.SboxIdGostR341194TestParamSet)
	buf := make([]byte, 64<<10)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		h := gost341194.New(sb.NewCipher)
		h.Write(buf)
		h.Sum(nil)
	}
}
