package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"

	"docledger/adapters/signature"
	"docledger/adapters/signature/sigtest"
)

// benchSignatures measures EDS verification: a detached CMS over a document,
// its chain through an intermediate that names a CRL (as NCA's do) and
// revocation answers in the cache, for an RSA-2048 key and for GOST keys. It
// needs no database: the PKI, its OCSP responder and CRL run on loopback
// (sigtest), made when the benchmark starts.
func benchSignatures(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench signatures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.Int("size", 64<<10, "document size in bytes")
	cpus := fs.Int("cpu", runtime.GOMAXPROCS(0), "parallel verifiers (GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	prev := runtime.GOMAXPROCS(*cpus)
	defer runtime.GOMAXPROCS(prev)
	doc := make([]byte, *size)
	for i := range doc {
		doc[i] = byte(i)
	}
	type result struct {
		Algorithm     string  `json:"algorithm"`
		PerSecond     float64 `json:"verifications_per_s"`
		NsPerOp       int64   `json:"ns_per_op"`
		AllocsPerOp   int64   `json:"allocs_per_op"`
		Verifications int     `json:"verifications"`
		// CPUMsPerOp is the process's CPU time (user + system) per
		// verification in the measured run: less sensitive than the rate
		// to other load on the machine.
		CPUMsPerOp float64 `json:"cpu_ms_per_op"`
	}
	var results []result
	for _, c := range []struct {
		name string
		gost bool
		key  sigtest.KeyType
	}{
		{"RSA-2048, SHA-256", false, sigtest.RSA2048},
		{"GOST 34.10-2015 (512), GOST 34.11-2015 (512)", true, sigtest.GOST2015_512},
		{"GOST 34.310-2004, GOST 34.311-95", true, sigtest.GOST2004},
	} {
		var failed error
		var cpu time.Duration // of the last (reported) run
		r := testing.Benchmark(func(b *testing.B) {
			v, cms := signatureBenchSetup(b, c.gost, c.key, doc)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			before := cpuTime()
			defer func() { cpu = cpuTime() - before }()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ev, err := v.Verify(ctx, signature.Request{CMS: cms, Content: doc})
					if err != nil || !ev.Signers[0].Revocation.Cached {
						failed = fmt.Errorf("%s: %v", c.name, err)
						return
					}
				}
			})
		})
		if failed != nil {
			return fail(stderr, failed)
		}
		res := result{Algorithm: c.name, Verifications: r.N, NsPerOp: r.NsPerOp(), AllocsPerOp: r.AllocsPerOp()}
		if r.T > 0 {
			res.PerSecond = round(float64(r.N)/r.T.Seconds(), 0)
		}
		if r.N > 0 {
			res.CPUMsPerOp = round(float64(cpu.Microseconds())/1000/float64(r.N), 3)
		}
		fmt.Fprintf(stderr, "bench signatures: %s: %.0f verifications/s, %.3f ms CPU each\n", c.name, res.PerSecond, res.CPUMsPerOp)
		results = append(results, res)
	}
	printJSON(stdout, map[string]any{"bench": "signatures", "document_bytes": *size, "parallel": *cpus,
		"revocation": "cached (OCSP for the signer, CRL for the intermediate)", "results": results, "machine": machine()})
	return 0
}

// signatureBenchSetup builds the PKI, a signer with key kt, its detached
// CMS over doc and a verifier with a revocation cache, warmed by one
// verification.
func signatureBenchSetup(b *testing.B, gost bool, kt sigtest.KeyType, doc []byte) (*signature.Verifier, []byte) {
	b.Helper()
	p := sigtest.New(b)
	if gost {
		p = sigtest.NewGOST(b)
	}
	p.UseRevocableIntermediate(b)
	leaf := p.Issue(b, sigtest.Spec{IIN: "900101300123", BIN: "123456789021", Key: kt})
	cms := p.Sign(b, leaf, doc, sigtest.SignOptions{Detached: true})
	v, err := signature.NewVerifier(signature.Config{Trust: signature.NewTrustStore(p.Trust(), nil),
		OCSPCache: signature.NewOCSPCache(time.Hour), Timeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	ev, err := v.Verify(context.Background(), signature.Request{CMS: cms, Content: doc})
	if err != nil {
		b.Fatal(err)
	}
	if len(ev.Signers[0].ChainRevocation) != 1 || ev.Signers[0].ChainRevocation[0].Method != "crl" {
		b.Fatalf("intermediate not checked: %+v", ev.Signers[0].ChainRevocation)
	}
	return v, cms
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
