package domain

import (
	"sync"
	"time"
)

// Clock tells business time. Domain code never calls time.Now; it is given a
// Clock (or the time itself) so that replays and tests are deterministic.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the wall clock in UTC, for composition roots.
var SystemClock Clock = ClockFunc(func() time.Time { return time.Now().UTC() })

// ManualClock is a clock that moves only when told to: tests and replays
// set business time instead of sleeping through it. It is safe for
// concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock standing at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

// Now is the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
