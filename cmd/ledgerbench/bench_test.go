package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `ledgerbench signatures` (`ledgerctl bench signatures`) is dispatched and refuses unknown flags as a
// usage error (a full run takes seconds: docs/benchmarks.md).
func TestBenchSignaturesUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if st := runBench(context.Background(), []string{"signatures", "--keep"}, &out, &errb); st != 2 {
		t.Fatalf("exit %d, want 2: %s", st, errb.String())
	}
	if !strings.Contains(errb.String(), "-size") {
		t.Fatalf("usage does not list --size: %s", errb.String())
	}
}
