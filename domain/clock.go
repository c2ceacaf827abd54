package domain

import "time"

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
