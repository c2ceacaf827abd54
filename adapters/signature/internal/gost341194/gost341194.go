// Package gost341194 computes the GOST R 34.11-94 hash (RFC 5831) — GOST
// 34.311-95 in Kazakhstan — over 32-byte blocks read as little-endian
// numbers, with the all-zero starting vector, on the GOST 28147-89 cipher of
// internal/gost28147. It gives the same digests as go-cryptobin's
// hash/gost/gost341194 (the tests compare them) several times faster, with
// no big.Int and no allocation per block.
package gost341194

import (
	"hash"

	"docledger/adapters/signature/internal/gost28147"
)

// Size and BlockSize are in bytes.
const (
	Size      = 32
	BlockSize = 32
)

type block = [32]byte

// c3 is the constant C3 of the key schedule, least significant byte first.
var c3 = func() block {
	be := [32]byte{
		0xff, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0xff, 0x00, 0xff, 0xff, 0x00,
		0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00, 0xff, 0x00,
	}
	var le block
	for i := range be {
		le[i] = be[31-i]
	}
	return le
}()

type digest struct {
	sbox   *gost28147.Sbox
	h, sum block
	bits   uint64
	buf    block
	nbuf   int
}

// New returns the hash over the cipher with S-box sbox.
func New(sbox *gost28147.Sbox) hash.Hash { return &digest{sbox: sbox} }

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }
func (d *digest) Reset() {
	d.h, d.sum, d.bits, d.nbuf = block{}, block{}, 0, 0
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
		d.block(&d.buf)
		d.nbuf = 0
	}
	for len(p) >= BlockSize {
		var m block
		copy(m[:], p)
		d.block(&m)
		p = p[BlockSize:]
	}
	d.nbuf = copy(d.buf[:], p)
	return n, nil
}

func (d *digest) block(m *block) {
	d.h = d.step(&d.h, m)
	add256(&d.sum, m)
	d.bits += 8 * BlockSize
}

func (d *digest) Sum(in []byte) []byte {
	h, sum, bits := d.h, d.sum, d.bits
	if d.nbuf > 0 {
		var m block
		copy(m[:], d.buf[:d.nbuf])
		h = d.step(&h, &m)
		add256(&sum, &m)
		bits += 8 * uint64(d.nbuf)
	}
	var l block
	for i := 0; i < 8; i++ {
		l[i] = byte(bits >> (8 * i))
	}
	h = d.step(&h, &l)
	h = d.step(&h, &sum)
	return append(in, h[:]...)
}

func add256(x, y *block) {
	var carry uint16
	for i := range x {
		s := uint16(x[i]) + uint16(y[i]) + carry
		x[i], carry = byte(s), s>>8
	}
}

func xor(x, y *block) block {
	var r block
	for i := range r {
		r[i] = x[i] ^ y[i]
	}
	return r
}

// a is A(Y) = (y1 ⊕ y2) ‖ y4 ‖ y3 ‖ y2 over 64-bit words, y1 least
// significant.
func a(y *block) block {
	var r block
	copy(r[0:24], y[8:32])
	for i := 0; i < 8; i++ {
		r[24+i] = y[i] ^ y[8+i]
	}
	return r
}

// p is the byte permutation φ(i + 1 + 4(k − 1)) = 8i + k.
func p(y *block) block {
	var r block
	for i := 0; i < 4; i++ {
		for k := 1; k <= 8; k++ {
			r[i+4*(k-1)] = y[8*i+k-1]
		}
	}
	return r
}

// psi is ψ over 16-bit words η1 … η16, η1 least significant: the words move
// down by one and η16 becomes η1 ⊕ η2 ⊕ η3 ⊕ η4 ⊕ η13 ⊕ η16.
func psi(y *block) {
	w0 := uint16(y[0]) | uint16(y[1])<<8
	w1 := uint16(y[2]) | uint16(y[3])<<8
	w2 := uint16(y[4]) | uint16(y[5])<<8
	w3 := uint16(y[6]) | uint16(y[7])<<8
	w12 := uint16(y[24]) | uint16(y[25])<<8
	w15 := uint16(y[30]) | uint16(y[31])<<8
	top := w0 ^ w1 ^ w2 ^ w3 ^ w12 ^ w15
	copy(y[0:30], y[2:32])
	y[30], y[31] = byte(top), byte(top>>8)
}

// step is the compression function f(H, M).
func (d *digest) step(h, m *block) block {
	var keys [4]block
	u, v := *h, *m
	w := xor(&u, &v)
	keys[0] = p(&w)
	for j := 1; j < 4; j++ {
		u = a(&u)
		if j == 2 {
			u = xor(&u, &c3)
		}
		v = a(&v)
		v = a(&v)
		w = xor(&u, &v)
		keys[j] = p(&w)
	}
	var s block
	for i := 0; i < 4; i++ {
		d.sbox.NewCipher(keys[i][:]).Encrypt(s[8*i:8*i+8], h[8*i:8*i+8])
	}
	for i := 0; i < 12; i++ {
		psi(&s)
	}
	s = xor(&s, m)
	psi(&s)
	s = xor(&s, h)
	for i := 0; i < 61; i++ {
		psi(&s)
	}
	return s
}
