package eventually_test

import (
	"testing"

	"docledger/internal/eventually"
)

func TestValue(t *testing.T) {
	n := 0
	got := eventually.Value(t, "the third call", func() (int, bool) { n++; return n, n == 3 })
	if got != 3 || n != 3 {
		t.Fatalf("got %d after %d calls, want 3 after 3", got, n)
	}
}
