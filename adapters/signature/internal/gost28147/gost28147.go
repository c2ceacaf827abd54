// Package gost28147 encrypts with the GOST 28147-89 block cipher for the
// GOST 34.311-95 (GOST R 34.11-94) hash, which encrypts four blocks under
// four fresh keys per 32 bytes of input: the S-box is expanded once into
// rotated lookup tables, so a new key costs nothing but eight words.
// go-cryptobin's cipher expands its S-box at every key (its hash ran at well
// under 1 MB/s with it); this one computes the same function (the tests
// compare the two).
package gost28147

import (
	"crypto/cipher"
	"encoding/binary"
	"math/bits"
)

// BlockSize is the cipher's block size in bytes.
const BlockSize = 8

// Sbox is an S-box expanded for fast rounds.
type Sbox struct {
	t [4][256]uint32 // byte j of the word → its S-box output, in place, rotated left by 11
}

// NewSbox expands s, eight rows of sixteen 4-bit values; row i substitutes
// nibble i of a word (from the least significant).
func NewSbox(s [][]byte) *Sbox {
	x := &Sbox{}
	for j := 0; j < 4; j++ {
		for v := 0; v < 256; v++ {
			lo, hi := s[2*j][v&15], s[2*j+1][v>>4]
			w := (uint32(hi)<<4 | uint32(lo)) << (8 * j)
			x.t[j][v] = bits.RotateLeft32(w, 11)
		}
	}
	return x
}

func (x *Sbox) f(v uint32) uint32 {
	return x.t[0][byte(v)] ^ x.t[1][byte(v>>8)] ^ x.t[2][byte(v>>16)] ^ x.t[3][byte(v>>24)]
}

type block struct {
	k [8]uint32
	s *Sbox
}

// NewCipher returns the cipher under a 32-byte key (the caller guarantees
// the length: the hash always passes 32 bytes).
func (x *Sbox) NewCipher(key []byte) cipher.Block {
	b := &block{s: x}
	for i := range b.k {
		b.k[i] = binary.LittleEndian.Uint32(key[4*i:])
	}
	return b
}

func (b *block) BlockSize() int { return BlockSize }

func (b *block) Encrypt(dst, src []byte) {
	n1, n2 := binary.LittleEndian.Uint32(src), binary.LittleEndian.Uint32(src[4:])
	k, s := &b.k, b.s
	for r := 0; r < 3; r++ {
		n2 ^= s.f(n1 + k[0])
		n1 ^= s.f(n2 + k[1])
		n2 ^= s.f(n1 + k[2])
		n1 ^= s.f(n2 + k[3])
		n2 ^= s.f(n1 + k[4])
		n1 ^= s.f(n2 + k[5])
		n2 ^= s.f(n1 + k[6])
		n1 ^= s.f(n2 + k[7])
	}
	n2 ^= s.f(n1 + k[7])
	n1 ^= s.f(n2 + k[6])
	n2 ^= s.f(n1 + k[5])
	n1 ^= s.f(n2 + k[4])
	n2 ^= s.f(n1 + k[3])
	n1 ^= s.f(n2 + k[2])
	n2 ^= s.f(n1 + k[1])
	n1 ^= s.f(n2 + k[0])
	binary.LittleEndian.PutUint32(dst, n2)
	binary.LittleEndian.PutUint32(dst[4:], n1)
}

// Decrypt is not needed by the hash.
func (b *block) Decrypt(dst, src []byte) { panic("gost28147: decryption is not implemented") }
