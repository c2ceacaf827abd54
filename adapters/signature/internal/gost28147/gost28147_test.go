package gost28147

import (
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	gostcipher "github.com/deatil/go-cryptobin/cipher/gost"
	"github.com/deatil/go-cryptobin/hash/gost/gost341194"
)

// The cipher equals go-cryptobin's on random keys and blocks, and so does
// the GOST 34.11-94 hash built on it.
func TestSameAsGoCryptobin(t *testing.T) {
	sb := gostcipher.SboxIdGostR341194TestParamSet
	fast := NewSbox(sb)
	for i := 0; i < 200; i++ {
		key, src := make([]byte, 32), make([]byte, 8)
		rand.Read(key)
		rand.Read(src)
		ref, err := gostcipher.NewCipher(key, sb)
		if err != nil {
			t.Fatal(err)
		}
		want, got := make([]byte, 8), make([]byte, 8)
		ref.Encrypt(want, src)
		fast.NewCipher(key).Encrypt(got, src)
		if !bytes.Equal(got, want) {
			t.Fatalf("key %x block %x: %x, want %x", key, src, got, want)
		}
	}
	for n := 0; n < 200; n += 13 {
		msg := make([]byte, n)
		rand.Read(msg)
		ref := gost341194.New(func(k []byte) cipher.Block { c, _ := gostcipher.NewCipher(k, sb); return c })
		mine := gost341194.New(fast.NewCipher)
		ref.Write(msg)
		mine.Write(msg)
		if !bytes.Equal(ref.Sum(nil), mine.Sum(nil)) {
			t.Fatalf("hash of %d bytes differs", n)
		}
	}
}
