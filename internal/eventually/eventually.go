// Package eventually waits, in tests, for what happens asynchronously: a
// projection catching up, a poisoned command landing, a subscriber woken.
// It is the one polling loop the tests share, so that every wait has the
// same generous bound and the same failure message.
package eventually

import (
	"testing"
	"time"
)

// Timeout bounds every wait: long enough for a loaded two-core machine,
// short enough that a wait that never ends fails the test.
const Timeout = 20 * time.Second

// poll is the pause between two checks.
const poll = 10 * time.Millisecond

// True waits until cond holds and fails the test (naming what it waited
// for) when it does not within Timeout.
func True(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", Timeout, what)
		}
		time.Sleep(poll)
	}
}

// Value waits until get reports ok and returns its value; it fails the
// test like True.
func Value[T any](t testing.TB, what string, get func() (T, bool)) T {
	t.Helper()
	var v T
	True(t, what, func() bool {
		var ok bool
		v, ok = get()
		return ok
	})
	return v
}
