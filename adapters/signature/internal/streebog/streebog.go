// Package streebog computes GOST 34.11-2015 (GOST R 34.11-2012, RFC 6986,
// "Streebog") with lookup tables: the same function as go-cryptobin's
// hash/gost/gost34112012, whose bit-serial linear layer hashes about 1 MB/s
// — too slow for documents. The constants (the S-box π, the transposition
// τ, the matrix A and the round constants C) are go-cryptobin's own, read
// through go:linkname so that no copy of them lives here; the tests check
// this package against go-cryptobin on random inputs and on the RFC's
// examples.
package streebog

import (
	"encoding/binary"
	"hash"
	_ "unsafe" // go:linkname

	_ "github.com/deatil/go-cryptobin/hash/gost/gost34112012" // the constants below
)

//go:linkname pi github.com/deatil/go-cryptobin/hash/gost/gost34112012.pi
var pi [256]byte

//go:linkname tau github.com/deatil/go-cryptobin/hash/gost/gost34112012.tau
var tau [64]int

//go:linkname matrixA github.com/deatil/go-cryptobin/hash/gost/gost34112012.a
var matrixA [64]uint64

//go:linkname roundC github.com/deatil/go-cryptobin/hash/gost/gost34112012.c
var roundC [12][64]byte

// BlockSize is the block size in bytes.
const BlockSize = 64

type block [8]uint64 // a 512-bit vector, little-endian words

var (
	// lps[k][b] is what byte value b at byte k of an output word (after
	// S and P) adds to that word after L: the three layers folded into 8
	// tables.
	lps [8][256]uint64
	c   [12]block
)

func init() {
	var lbyte [8][256]uint64
	for k := 0; k < 8; k++ {
		for b := 0; b < 256; b++ {
			var v uint64
			for t := 0; t < 8; t++ {
				if b>>t&1 == 1 {
					// L walks a word's bits from the most significant;
					// bit 8k+t is the (63-8k-t)-th it meets.
					v ^= matrixA[63-(8*k+t)]
				}
			}
			lbyte[k][b] = v
		}
	}
	for k := 0; k < 8; k++ {
		for b := 0; b < 256; b++ {
			lps[k][b] = lbyte[k][pi[b]]
		}
	}
	for i := 0; i < 64; i++ {
		if tau[i] != i%8*8+i/8 {
			panic("streebog: τ is not the byte transposition")
		}
	}
	for i := range roundC {
		c[i] = load(roundC[i][:])
	}
}

func load(b []byte) block {
	var x block
	for i := range x {
		x[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return x
}

// lpsXor sets dst = LPS(x ⊕ y). τ is the 8×8 byte transposition, so byte
// k of output word i comes from byte i of input word k.
func lpsXor(dst, x, y *block) {
	x0, x1, x2, x3 := x[0]^y[0], x[1]^y[1], x[2]^y[2], x[3]^y[3]
	x4, x5, x6, x7 := x[4]^y[4], x[5]^y[5], x[6]^y[6], x[7]^y[7]
	for i := uint(0); i < 8; i++ {
		sh := 8 * i
		dst[i] = lps[0][byte(x0>>sh)] ^ lps[1][byte(x1>>sh)] ^ lps[2][byte(x2>>sh)] ^ lps[3][byte(x3>>sh)] ^
			lps[4][byte(x4>>sh)] ^ lps[5][byte(x5>>sh)] ^ lps[6][byte(x6>>sh)] ^ lps[7][byte(x7>>sh)]
	}
}

// compress sets h = g_N(h, m).
func compress(n uint64, h, m *block) {
	var k, msg, nb block
	nb[0] = n
	lpsXor(&k, h, &nb)
	lpsXor(&msg, &k, m)
	for i := 0; i < 11; i++ {
		lpsXor(&k, &k, &c[i])
		lpsXor(&msg, &k, &msg)
	}
	lpsXor(&k, &k, &c[11])
	for i := range h {
		h[i] ^= k[i] ^ msg[i] ^ m[i]
	}
}

func add512(x, y *block) block {
	var r block
	var carry uint64
	for i := range r {
		s := x[i] + y[i]
		c1 := uint64(0)
		if s < x[i] {
			c1 = 1
		}
		s2 := s + carry
		if s2 < s {
			c1 = 1
		}
		r[i] = s2
		carry = c1
	}
	return r
}

type digest struct {
	size     int
	h, sigma block
	n        uint64
	buf      [BlockSize]byte
	nbuf     int
}

// New512 returns a GOST 34.11-2015 hash with a 512-bit output.
func New512() hash.Hash { d := &digest{size: 64}; d.Reset(); return d }

// New256 returns a GOST 34.11-2015 hash with a 256-bit output.
func New256() hash.Hash { d := &digest{size: 32}; d.Reset(); return d }

func (d *digest) Size() int      { return d.size }
func (d *digest) BlockSize() int { return BlockSize }

func (d *digest) Reset() {
	d.h, d.sigma, d.n, d.nbuf = block{}, block{}, 0, 0
	if d.size == 32 {
		for i := range d.h {
			d.h[i] = 0x0101010101010101
		}
	}
}

func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	if d.nbuf > 0 {
		k := copy(d.buf[d.nbuf:], p)
		d.nbuf += k
		p = p[k:]
		if d.nbuf < BlockSize {
			return n, nil
		}
		d.block(d.buf[:])
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		d.block(p[:BlockSize])
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) block(p []byte) {
	m := load(p)
	compress(d.n, &d.h, &m)
	d.sigma = add512(&d.sigma, &m)
	d.n += BlockSize * 8
}

func (d *digest) Sum(in []byte) []byte {
	var last [BlockSize]byte
	copy(last[:], d.buf[:d.nbuf])
	last[d.nbuf] = 1
	m := load(last[:])
	h := d.h
	compress(d.n, &h, &m)
	length := block{d.n + uint64(d.nbuf)*8}
	compress(0, &h, &length)
	s := add512(&d.sigma, &m)
	compress(0, &h, &s)
	var out [BlockSize]byte
	for i := range h {
		binary.LittleEndian.PutUint64(out[8*i:], h[i])
	}
	if d.size == 32 {
		return append(in, out[32:]...)
	}
	return append(in, out[:]...)
}
