package signature_test

import (
	"context"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

// BenchmarkVerifyDetachedRSA2048 verifies a detached RSA-2048 CMS whose OCSP
// answer is in the cache: signature, chain, key usage and revocation, the
// evidence included.
func BenchmarkVerifyDetachedRSA2048(b *testing.B) {
	p := sigtest.New(b)
	leaf := p.Issue(b, sigtest.Spec{IIN: "900101300123", Key: sigtest.RSA2048})
	doc := make([]byte, 64<<10)
	cms := p.Sign(b, leaf, doc, sigtest.SignOptions{Detached: true})
	v := verifier(b, p, func(c *signature.Config) { c.OCSPCache = signature.NewOCSPCache(time.Hour) })
	ctx := context.Background()
	if _, err := v.Verify(ctx, signature.Request{CMS: cms, Content: doc}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ev, err := v.Verify(ctx, signature.Request{CMS: cms, Content: doc})
			if err != nil || !ev.Signers[0].Revocation.Cached {
				b.Fatalf("%v %+v", err, ev)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkVerifyDetachedGOST2015 is BenchmarkVerifyDetachedRSA2048 for a
// GOST 34.10-2015 (512) key under a GOST CA whose intermediate names a CRL:
// signature, chain (certificate signatures verified once, then cached),
// key usage and revocation (signer's OCSP answer and intermediate's CRL
// answer in the cache).
func BenchmarkVerifyDetachedGOST2015(b *testing.B) {
	p := sigtest.NewGOST(b)
	p.UseRevocableIntermediate(b)
	leaf := p.Issue(b, sigtest.Spec{IIN: "900101300123", Key: sigtest.GOST2015_512})
	doc := make([]byte, 64<<10)
	cms := p.Sign(b, leaf, doc, sigtest.SignOptions{Detached: true})
	v := verifier(b, p, func(c *signature.Config) { c.OCSPCache = signature.NewOCSPCache(time.Hour) })
	ctx := context.Background()
	if _, err := v.Verify(ctx, signature.Request{CMS: cms, Content: doc}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ev, err := v.Verify(ctx, signature.Request{CMS: cms, Content: doc})
			if err != nil || !ev.Signers[0].Revocation.Cached || !ev.Signers[0].ChainRevocation[0].Cached {
				b.Fatalf("%v %+v", err, ev)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}
