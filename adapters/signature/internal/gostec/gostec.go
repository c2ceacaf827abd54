// Package gostec verifies GOST 34.10 (34.310-2004, 34.10-2015) signatures
// fast on the curves whose prime is 2^(64n) - c with a small c — the three
// curves NCA RK keys use (CryptoPro-A, tc26-256-paramSetA,
// tc26-512-paramSetA). Field elements are fixed arrays of 64-bit limbs
// reduced with 2^(64n) ≡ c, points are in Jacobian coordinates, and the
// double scalar multiplication uses 4-bit windows; the only inversions are
// one modulo q and one modulo p per signature. It verifies public data only,
// so it is not constant-time.
package gostec

import (
	"errors"
	"math/big"
	"math/bits"
)

const maxLimbs = 8

// fe is a field element: n little-endian limbs, fully reduced (< p).
type fe [maxLimbs]uint64

// Curve is y² = x³ + ax + b over GF(p) with a base point of prime order q.
type Curve struct {
	n       int    // limbs
	c       uint64 // p = 2^(64n) - c
	p, q    *big.Int
	a, b    fe
	g8      [256]point // 0..255 × G, affine (z = 1) but for 0
	byteLen int
	aIsM3   bool // a = -3: the cheaper doubling applies
}

type point struct{ x, y, z fe } // Jacobian; z = 0 is the point at infinity

// NewCurve returns the curve, or an error when p is not 2^(64n) - c with n
// 4 or 8 and c < 2^16, or when the base point is not on the curve.
func NewCurve(p, q, a, b, gx, gy *big.Int) (*Curve, error) {
	var n int
	switch p.BitLen() {
	case 256:
		n = 4
	case 512:
		n = 8
	default:
		return nil, errors.New("gostec: prime must have 256 or 512 bits")
	}
	c := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	c.Sub(c, p)
	if c.Sign() <= 0 || c.BitLen() > 16 {
		return nil, errors.New("gostec: prime is not 2^k - c with a small c")
	}
	cv := &Curve{n: n, c: c.Uint64(), p: new(big.Int).Set(p), q: new(big.Int).Set(q), byteLen: 8 * n}
	cv.a, cv.b = cv.toFE(a), cv.toFE(b)
	g := point{x: cv.toFE(gx), y: cv.toFE(gy), z: cv.one()}
	if !cv.onCurve(gx, gy) {
		return nil, errors.New("gostec: base point is not on the curve")
	}
	cv.g8[1] = g
	for i := 2; i < 256; i++ {
		cv.add(&cv.g8[i], &cv.g8[i-1], &g)
	}
	for i := 2; i < 256; i++ { // to affine, once per curve
		pt := &cv.g8[i]
		zinv := cv.toFE(new(big.Int).ModInverse(cv.toBig(&pt.z), cv.p))
		var zz, zzz fe
		cv.mul(&zz, &zinv, &zinv)
		cv.mul(&zzz, &zz, &zinv)
		cv.mul(&pt.x, &pt.x, &zz)
		cv.mul(&pt.y, &pt.y, &zzz)
		pt.z = cv.one()
	}
	m3 := new(big.Int).Sub(p, big.NewInt(3))
	cv.aIsM3 = new(big.Int).Mod(a, p).Cmp(m3) == 0
	return cv, nil
}

// Verify reports whether (r, s) is a GOST signature of the digest integer e
// (already read from the digest in the GOST byte order) for the public key
// (qx, qy), which must be a point of the curve.
func (cv *Curve) Verify(qx, qy, e, r, s *big.Int) bool {
	if r.Sign() <= 0 || r.Cmp(cv.q) >= 0 || s.Sign() <= 0 || s.Cmp(cv.q) >= 0 {
		return false
	}
	if qx.Sign() < 0 || qx.Cmp(cv.p) >= 0 || qy.Sign() < 0 || qy.Cmp(cv.p) >= 0 || !cv.onCurve(qx, qy) {
		return false
	}
	ee := new(big.Int).Mod(e, cv.q)
	if ee.Sign() == 0 {
		ee.SetInt64(1)
	}
	v := new(big.Int).ModInverse(ee, cv.q)
	if v == nil {
		return false
	}
	z1 := new(big.Int).Mul(s, v)
	z1.Mod(z1, cv.q)
	z2 := new(big.Int).Mul(r, v)
	z2.Mod(z2, cv.q)
	z2.Sub(cv.q, z2)

	// z1·G with 8-bit windows of the affine table; z2·Q with a width-5
	// NAF over the odd multiples Q, 3Q, …, 15Q; one chain of doublings.
	var qt [8]point
	qp := point{x: cv.toFE(qx), y: cv.toFE(qy), z: cv.one()}
	qt[0] = qp
	var q2 point
	cv.double(&q2, &qp)
	for i := 1; i < 8; i++ {
		cv.add(&qt[i], &qt[i-1], &q2)
	}
	naf := wnaf5(z2)
	k1 := make([]byte, cv.byteLen)
	z1.FillBytes(k1)
	top := len(naf)
	if 8*cv.byteLen > top {
		top = 8 * cv.byteLen
	}
	var acc, neg point
	for i := top - 1; i >= 0; i-- {
		cv.double(&acc, &acc)
		if i < len(naf) {
			switch d := naf[i]; {
			case d > 0:
				cv.add(&acc, &acc, &qt[d>>1])
			case d < 0:
				neg = qt[(-d)>>1]
				var zero fe
				cv.sub(&neg.y, &zero, &neg.y)
				cv.add(&acc, &acc, &neg)
			}
		}
		if i%8 == 0 && i/8 < cv.byteLen {
			if w := k1[cv.byteLen-1-i/8]; w != 0 {
				cv.addAffine(&acc, &acc, &cv.g8[w])
			}
		}
	}
	if cv.isZero(&acc.z) {
		return false
	}
	// x = X / Z².
	zinv := new(big.Int).ModInverse(cv.toBig(&acc.z), cv.p)
	if zinv == nil {
		return false
	}
	zi := cv.toFE(zinv)
	var zz, x fe
	cv.mul(&zz, &zi, &zi)
	cv.mul(&x, &acc.x, &zz)
	xr := cv.toBig(&x)
	xr.Mod(xr, cv.q)
	return xr.Cmp(r) == 0
}

func (cv *Curve) onCurve(x, y *big.Int) bool {
	// y² = x³ + ax + b mod p
	l := new(big.Int).Mul(y, y)
	l.Mod(l, cv.p)
	r := new(big.Int).Mul(x, x)
	r.Mul(r, x)
	ax := new(big.Int).Mul(cv.toBig(&cv.a), x)
	r.Add(r, ax)
	r.Add(r, cv.toBig(&cv.b))
	r.Mod(r, cv.p)
	return l.Cmp(r) == 0
}

// wnaf5 returns the width-5 non-adjacent form of k, least significant
// digit first: digits 0 or odd in [-15, 15], no two non-zero within 5.
func wnaf5(k *big.Int) []int8 {
	var out []int8
	k = new(big.Int).Set(k)
	mod := big.NewInt(32)
	d := new(big.Int)
	for k.Sign() > 0 {
		var digit int8
		if k.Bit(0) == 1 {
			d.Mod(k, mod)
			v := d.Int64()
			if v >= 16 {
				v -= 32
			}
			digit = int8(v)
			k.Sub(k, big.NewInt(v))
		}
		out = append(out, digit)
		k.Rsh(k, 1)
	}
	return out
}

func (cv *Curve) one() fe { var o fe; o[0] = 1; return o }

func (cv *Curve) toFE(v *big.Int) fe {
	var out fe
	m := new(big.Int).Mod(v, cv.p)
	words := m.Bits()
	for i := 0; i < len(words) && i < cv.n; i++ {
		out[i] = uint64(words[i])
	}
	return out
}

func (cv *Curve) toBig(x *fe) *big.Int {
	b := make([]byte, 8*cv.n)
	for i := 0; i < cv.n; i++ {
		w := x[i]
		for j := 0; j < 8; j++ {
			b[len(b)-1-8*i-j] = byte(w >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(b)
}

func (cv *Curve) isZero(x *fe) bool {
	var acc uint64
	for i := 0; i < cv.n; i++ {
		acc |= x[i]
	}
	return acc == 0
}

func (cv *Curve) equal(x, y *fe) bool {
	for i := 0; i < cv.n; i++ {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// reduceOnce maps x in [0, 2^k) to [0, p): x ≥ p exactly when x + c
// carries out of k bits, and then x - p is the low k bits of x + c.
func (cv *Curve) reduceOnce(x *fe) {
	if cv.n == 8 {
		reduce8(x, cv.c)
	} else {
		reduce4(x, cv.c)
	}
}

func (cv *Curve) add2(z, x, y *fe) {
	if cv.n == 8 {
		add8(z, x, y, cv.c)
	} else {
		add4(z, x, y, cv.c)
	}
}

// sub sets z = x - y mod p. On a borrow z holds x - y + 2^k, and the
// true value is that minus 2^k ≡ minus c; as x < y, z - c = x - y + p is
// in [0, p).
func (cv *Curve) sub(z, x, y *fe) {
	if cv.n == 8 {
		sub8(z, x, y, cv.c)
	} else {
		sub4(z, x, y, cv.c)
	}
}

// The limb counts are constants in these so that the compiler drops the
// bounds checks: 8 limbs for 512-bit fields, 4 for 256-bit ones.

func reduce8(x *fe, c uint64) {
	var y fe
	carry := c
	for i := 0; i < 8; i++ {
		y[i], carry = bits.Add64(x[i], carry, 0)
	}
	if carry != 0 {
		*x = y
	}
}

func reduce4(x *fe, c uint64) {
	var y fe
	carry := c
	for i := 0; i < 4; i++ {
		y[i], carry = bits.Add64(x[i], carry, 0)
	}
	if carry != 0 {
		*x = y
	}
}

func add8(z, x, y *fe, c uint64) {
	var carry uint64
	for i := 0; i < 8; i++ {
		z[i], carry = bits.Add64(x[i], y[i], carry)
	}
	if carry != 0 {
		fold(z[:8], c, c)
	}
	reduce8(z, c)
}

func add4(z, x, y *fe, c uint64) {
	var carry uint64
	for i := 0; i < 4; i++ {
		z[i], carry = bits.Add64(x[i], y[i], carry)
	}
	if carry != 0 {
		fold(z[:4], c, c)
	}
	reduce4(z, c)
}

func sub8(z, x, y *fe, c uint64) {
	var borrow uint64
	for i := 0; i < 8; i++ {
		z[i], borrow = bits.Sub64(x[i], y[i], borrow)
	}
	if borrow != 0 {
		borrow = c
		for i := 0; i < 8; i++ {
			z[i], borrow = bits.Sub64(z[i], borrow, 0)
		}
	}
}

func sub4(z, x, y *fe, c uint64) {
	var borrow uint64
	for i := 0; i < 4; i++ {
		z[i], borrow = bits.Sub64(x[i], y[i], borrow)
	}
	if borrow != 0 {
		borrow = c
		for i := 0; i < 4; i++ {
			z[i], borrow = bits.Sub64(z[i], borrow, 0)
		}
	}
}

// mul sets z = x·y mod p.
func (cv *Curve) mul(z, x, y *fe) {
	if cv.n == 8 {
		mul8(z, x, y, cv.c)
		reduce8(z, cv.c)
	} else {
		mul4(z, x, y, cv.c)
		reduce4(z, cv.c)
	}
}

// sqr sets z = x² mod p.
func (cv *Curve) sqr(z, x *fe) {
	if cv.n == 8 {
		sqr8(z, x, cv.c)
	} else {
		mul4(z, x, x, cv.c)
	}
	cv.reduceOnce(z)
}

// sqr8 is mul8(z, x, x, c) with each cross product computed once.
func sqr8(z, x *fe, c uint64) {
	var t [16]uint64
	// Cross products x[i]·x[j], i < j.
	for i := 0; i < 7; i++ {
		var carry uint64
		xi := x[i]
		for j := i + 1; j < 8; j++ {
			hi, lo := bits.Mul64(xi, x[j])
			var c1, c2 uint64
			lo, c1 = bits.Add64(lo, t[i+j], 0)
			lo, c2 = bits.Add64(lo, carry, 0)
			t[i+j] = lo
			carry = hi + c1 + c2
		}
		t[i+8] = carry
	}
	// Double them.
	var top uint64
	for i := 1; i < 16; i++ {
		w := t[i]
		t[i] = w<<1 | top
		top = w >> 63
	}
	// Add the squares x[i]² at 2i.
	var carry uint64
	for i := 0; i < 8; i++ {
		hi, lo := bits.Mul64(x[i], x[i])
		var c1 uint64
		t[2*i], c1 = bits.Add64(t[2*i], lo, carry)
		t[2*i+1], carry = bits.Add64(t[2*i+1], hi, c1)
	}
	carry = 0
	for i := 0; i < 8; i++ {
		hi, lo := bits.Mul64(t[i+8], c)
		var c1, c2 uint64
		lo, c1 = bits.Add64(lo, t[i], 0)
		lo, c2 = bits.Add64(lo, carry, 0)
		z[i] = lo
		carry = hi + c1 + c2
	}
	fold(z[:8], carry*c, c)
}

// mul8 sets z ≡ x·y (mod 2^512 - c), z < 2^512; the limb count is a
// constant so that the compiler drops the bounds checks.
func mul8(z, x, y *fe, c uint64) {
	var t [16]uint64
	for i := 0; i < 8; i++ {
		var carry uint64
		xi := x[i]
		for j := 0; j < 8; j++ {
			hi, lo := bits.Mul64(xi, y[j])
			var c1, c2 uint64
			lo, c1 = bits.Add64(lo, t[i+j], 0)
			lo, c2 = bits.Add64(lo, carry, 0)
			t[i+j] = lo
			carry = hi + c1 + c2
		}
		t[i+8] = carry
	}
	var carry uint64
	for i := 0; i < 8; i++ {
		hi, lo := bits.Mul64(t[i+8], c)
		var c1, c2 uint64
		lo, c1 = bits.Add64(lo, t[i], 0)
		lo, c2 = bits.Add64(lo, carry, 0)
		z[i] = lo
		carry = hi + c1 + c2
	}
	fold(z[:8], carry*c, c)
}

// mul4 is mul8 for 256-bit fields.
func mul4(z, x, y *fe, c uint64) {
	var t [8]uint64
	for i := 0; i < 4; i++ {
		var carry uint64
		xi := x[i]
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(xi, y[j])
			var c1, c2 uint64
			lo, c1 = bits.Add64(lo, t[i+j], 0)
			lo, c2 = bits.Add64(lo, carry, 0)
			t[i+j] = lo
			carry = hi + c1 + c2
		}
		t[i+4] = carry
	}
	var carry uint64
	for i := 0; i < 4; i++ {
		hi, lo := bits.Mul64(t[i+4], c)
		var c1, c2 uint64
		lo, c1 = bits.Add64(lo, t[i], 0)
		lo, c2 = bits.Add64(lo, carry, 0)
		z[i] = lo
		carry = hi + c1 + c2
	}
	fold(z[:4], carry*c, c)
}

// fold adds v to x (v stands for the part above 2^k, times c; c < 2^16
// keeps it below 2^33); a carry out of x stands for one more c, after which
// x is too small to carry again.
func fold(x []uint64, v, c uint64) {
	carry := v
	for i := 0; i < len(x) && carry != 0; i++ {
		x[i], carry = bits.Add64(x[i], carry, 0)
	}
	carry *= c
	for i := 0; i < len(x) && carry != 0; i++ {
		x[i], carry = bits.Add64(x[i], carry, 0)
	}
}

// double sets r = 2p (dbl-2001-b when a = -3, else dbl-2007-bl).
func (cv *Curve) double(r, p *point) {
	if cv.isZero(&p.z) || cv.isZero(&p.y) {
		*r = point{}
		return
	}
	if cv.aIsM3 {
		var delta, gamma, beta, alpha, t, u fe
		cv.sqr(&delta, &p.z)
		cv.sqr(&gamma, &p.y)
		cv.mul(&beta, &p.x, &gamma)
		cv.sub(&t, &p.x, &delta)
		cv.add2(&u, &p.x, &delta)
		cv.mul(&alpha, &t, &u)
		cv.add2(&t, &alpha, &alpha)
		cv.add2(&alpha, &t, &alpha) // 3(X-δ)(X+δ)
		var x3, y3, z3, b4, b8 fe
		cv.add2(&b4, &beta, &beta)
		cv.add2(&b4, &b4, &b4)
		cv.add2(&b8, &b4, &b4)
		cv.sqr(&x3, &alpha)
		cv.sub(&x3, &x3, &b8)
		cv.add2(&t, &p.y, &p.z)
		cv.sqr(&z3, &t)
		cv.sub(&z3, &z3, &gamma)
		cv.sub(&z3, &z3, &delta)
		cv.sub(&t, &b4, &x3)
		cv.mul(&y3, &alpha, &t)
		cv.sqr(&u, &gamma)
		cv.add2(&u, &u, &u)
		cv.add2(&u, &u, &u)
		cv.add2(&u, &u, &u)
		cv.sub(&y3, &y3, &u)
		r.x, r.y, r.z = x3, y3, z3
		return
	}
	var xx, yy, yyyy, zz, s, m, t, tmp fe
	cv.mul(&xx, &p.x, &p.x)
	cv.mul(&yy, &p.y, &p.y)
	cv.mul(&yyyy, &yy, &yy)
	cv.mul(&zz, &p.z, &p.z)
	// S = 2((X+YY)² - XX - YYYY)
	cv.add2(&tmp, &p.x, &yy)
	cv.mul(&s, &tmp, &tmp)
	cv.sub(&s, &s, &xx)
	cv.sub(&s, &s, &yyyy)
	cv.add2(&s, &s, &s)
	// M = 3XX + a·ZZ²
	cv.add2(&m, &xx, &xx)
	cv.add2(&m, &m, &xx)
	cv.mul(&tmp, &zz, &zz)
	cv.mul(&tmp, &tmp, &cv.a)
	cv.add2(&m, &m, &tmp)
	// X3 = M² - 2S
	var x3, y3, z3 fe
	cv.mul(&t, &m, &m)
	cv.sub(&t, &t, &s)
	cv.sub(&x3, &t, &s)
	// Y3 = M(S - X3) - 8YYYY
	cv.sub(&tmp, &s, &x3)
	cv.mul(&y3, &m, &tmp)
	cv.add2(&yyyy, &yyyy, &yyyy)
	cv.add2(&yyyy, &yyyy, &yyyy)
	cv.add2(&yyyy, &yyyy, &yyyy)
	cv.sub(&y3, &y3, &yyyy)
	// Z3 = (Y+Z)² - YY - ZZ
	cv.add2(&tmp, &p.y, &p.z)
	cv.mul(&z3, &tmp, &tmp)
	cv.sub(&z3, &z3, &yy)
	cv.sub(&z3, &z3, &zz)
	r.x, r.y, r.z = x3, y3, z3
}

// add sets r = p + q (add-2007-bl), handling infinity and p = ±q.
func (cv *Curve) add(r, p, q *point) {
	if cv.isZero(&p.z) {
		*r = *q
		return
	}
	if cv.isZero(&q.z) {
		*r = *p
		return
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, rr, tmp fe
	cv.sqr(&z1z1, &p.z)
	cv.sqr(&z2z2, &q.z)
	cv.mul(&u1, &p.x, &z2z2)
	cv.mul(&u2, &q.x, &z1z1)
	cv.mul(&tmp, &q.z, &z2z2)
	cv.mul(&s1, &p.y, &tmp)
	cv.mul(&tmp, &p.z, &z1z1)
	cv.mul(&s2, &q.y, &tmp)
	if cv.equal(&u1, &u2) {
		if cv.equal(&s1, &s2) {
			cv.double(r, p)
		} else {
			*r = point{}
		}
		return
	}
	cv.sub(&h, &u2, &u1)
	var i, j, v fe
	cv.add2(&tmp, &h, &h)
	cv.sqr(&i, &tmp)   // I = (2H)²
	cv.mul(&j, &h, &i) // J = H·I
	cv.sub(&rr, &s2, &s1)
	cv.add2(&rr, &rr, &rr) // r = 2(S2 - S1)
	cv.mul(&v, &u1, &i)    // V = U1·I
	var x3, y3, z3 fe
	cv.sqr(&x3, &rr)
	cv.sub(&x3, &x3, &j)
	cv.sub(&x3, &x3, &v)
	cv.sub(&x3, &x3, &v)
	cv.sub(&tmp, &v, &x3)
	cv.mul(&y3, &rr, &tmp)
	cv.mul(&tmp, &s1, &j)
	cv.add2(&tmp, &tmp, &tmp)
	cv.sub(&y3, &y3, &tmp)
	cv.add2(&tmp, &p.z, &q.z)
	cv.sqr(&z3, &tmp)
	cv.sub(&z3, &z3, &z1z1)
	cv.sub(&z3, &z3, &z2z2)
	cv.mul(&z3, &z3, &h)
	r.x, r.y, r.z = x3, y3, z3
}

// addAffine sets r = p + q for q with z = 1 (madd-2007-bl), handling
// infinity and p = ±q.
func (cv *Curve) addAffine(r, p, q *point) {
	if cv.isZero(&p.z) {
		*r = *q
		return
	}
	var z1z1, u2, s2, h, hh, i, j, rr, v, t fe
	cv.sqr(&z1z1, &p.z)
	cv.mul(&u2, &q.x, &z1z1)
	cv.mul(&t, &p.z, &z1z1)
	cv.mul(&s2, &q.y, &t)
	if cv.equal(&p.x, &u2) {
		if cv.equal(&p.y, &s2) {
			cv.double(r, p)
		} else {
			*r = point{}
		}
		return
	}
	cv.sub(&h, &u2, &p.x)
	cv.sqr(&hh, &h)
	cv.add2(&i, &hh, &hh)
	cv.add2(&i, &i, &i) // I = 4HH
	cv.mul(&j, &h, &i)
	cv.sub(&rr, &s2, &p.y)
	cv.add2(&rr, &rr, &rr)
	cv.mul(&v, &p.x, &i)
	var x3, y3, z3 fe
	cv.sqr(&x3, &rr)
	cv.sub(&x3, &x3, &j)
	cv.sub(&x3, &x3, &v)
	cv.sub(&x3, &x3, &v)
	cv.sub(&t, &v, &x3)
	cv.mul(&y3, &rr, &t)
	cv.mul(&t, &p.y, &j)
	cv.add2(&t, &t, &t)
	cv.sub(&y3, &y3, &t)
	cv.add2(&t, &p.z, &h)
	cv.sqr(&z3, &t)
	cv.sub(&z3, &z3, &z1z1)
	cv.sub(&z3, &z3, &hh)
	r.x, r.y, r.z = x3, y3, z3
}
