package gostec

import (
	"crypto/rand"
	"math/big"
	"testing"

	gostkey "github.com/deatil/go-cryptobin/pubkey/gost"
)

var curves = map[string]func() *gostkey.Curve{
	"CryptoPro-A":        gostkey.CurveIdGostR34102001CryptoProAParamSet,
	"tc26-256-paramSetA": gostkey.CurveIdtc26gost34102012256paramSetA,
	"tc26-512-paramSetA": gostkey.CurveIdtc26gost34102012512paramSetA,
}

func mustCurve(t testing.TB, c *gostkey.Curve) *Curve {
	t.Helper()
	cv, err := NewCurve(c.P, c.Q, c.A, c.B, c.X, c.Y)
	if err != nil {
		t.Fatal(err)
	}
	return cv
}

// The field arithmetic agrees with math/big on random and edge values.
func TestFieldAgainstBig(t *testing.T) {
	for name, mk := range curves {
		c := mk()
		cv := mustCurve(t, c)
		edge := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(c.P, big.NewInt(1)), new(big.Int).Sub(c.P, big.NewInt(2))}
		vals := append([]*big.Int{}, edge...)
		for i := 0; i < 200; i++ {
			v, _ := rand.Int(rand.Reader, c.P)
			vals = append(vals, v)
		}
		for i := 0; i+1 < len(vals); i++ {
			x, y := vals[i], vals[len(vals)-1-i]
			fx, fy := cv.toFE(x), cv.toFE(y)
			var z fe
			cv.mul(&z, &fx, &fy)
			want := new(big.Int).Mul(x, y)
			want.Mod(want, c.P)
			if cv.toBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: mul %x %x", name, x, y)
			}
			cv.add2(&z, &fx, &fy)
			want.Add(x, y).Mod(want, c.P)
			if cv.toBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: add %x %x", name, x, y)
			}
			cv.sub(&z, &fx, &fy)
			want.Sub(x, y).Mod(want, c.P)
			if cv.toBig(&z).Cmp(want) != 0 {
				t.Fatalf("%s: sub %x %x", name, x, y)
			}
		}
	}
}

// Signatures made by go-cryptobin verify, and changed ones do not.
func TestVerifyAgainstGoCryptobin(t *testing.T) {
	for name, mk := range curves {
		c := mk()
		cv := mustCurve(t, c)
		for i := 0; i < 20; i++ {
			priv, err := gostkey.GenerateKey(rand.Reader, c)
			if err != nil {
				t.Fatal(err)
			}
			digest := make([]byte, c.PointSize())
			rand.Read(digest)
			r, s, err := gostkey.SignToRS(rand.Reader, priv, digest)
			if err != nil {
				t.Fatal(err)
			}
			e := new(big.Int).SetBytes(gostkey.Reverse(digest))
			if !cv.Verify(priv.X, priv.Y, e, r, s) {
				t.Fatalf("%s: valid signature refused", name)
			}
			if ok, _ := gostkey.VerifyWithRS(&priv.PublicKey, digest, r, s); !ok {
				t.Fatalf("%s: go-cryptobin refuses its own signature", name)
			}
			e2 := new(big.Int).Add(e, big.NewInt(1))
			s2 := new(big.Int).Add(s, big.NewInt(1))
			if cv.Verify(priv.X, priv.Y, e2, r, s) || cv.Verify(priv.X, priv.Y, e, r, s2) || cv.Verify(priv.X, priv.Y, e, s, r) {
				t.Fatalf("%s: changed signature accepted", name)
			}
			if cv.Verify(priv.X, new(big.Int).Add(priv.Y, big.NewInt(1)), e, r, s) {
				t.Fatalf("%s: point off the curve accepted", name)
			}
			if cv.Verify(priv.X, priv.Y, e, big.NewInt(0), s) || cv.Verify(priv.X, priv.Y, e, r, c.Q) {
				t.Fatalf("%s: out-of-range r or s accepted", name)
			}
		}
	}
}

func BenchmarkVerify512(b *testing.B) {
	c := gostkey.CurveIdtc26gost34102012512paramSetA()
	cv := mustCurve(b, c)
	priv, _ := gostkey.GenerateKey(rand.Reader, c)
	digest := make([]byte, 64)
	rand.Read(digest)
	r, s, _ := gostkey.SignToRS(rand.Reader, priv, digest)
	e := new(big.Int).SetBytes(gostkey.Reverse(digest))
	for b.Loop() {
		if !cv.Verify(priv.X, priv.Y, e, r, s) {
			b.Fatal("refused")
		}
	}
}

func TestSquareAgainstBig(t *testing.T) {
	c := gostkey.CurveIdtc26gost34102012512paramSetA()
	cv := mustCurve(t, c)
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(c.P, big.NewInt(1))}
	for i := 0; i < 500; i++ {
		v, _ := rand.Int(rand.Reader, c.P)
		vals = append(vals, v)
	}
	for _, x := range vals {
		fx := cv.toFE(x)
		var z fe
		cv.sqr(&z, &fx)
		want := new(big.Int).Mul(x, x)
		want.Mod(want, c.P)
		if cv.toBig(&z).Cmp(want) != 0 {
			t.Fatalf("sqr %x", x)
		}
	}
}
