package httpguard

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiters keeps one token-bucket limiter per key, in bounded memory: a
// limiter unused for IdleAfter is dropped (it would be full again by then
// anyway, when the burst refills within IdleAfter), and when the table
// holds MaxKeys keys a new key evicts another one.
type Limiters struct {
	limit     rate.Limit
	burst     int
	maxKeys   int
	idleAfter time.Duration

	mu        sync.Mutex
	m         map[string]*limiterEntry
	lastSweep time.Time
}

type limiterEntry struct {
	lim  *rate.Limiter
	used time.Time
}

// NewLimiters returns a table of limiters of limit and burst; maxKeys 0
// is 100000 keys, idleAfter 0 ten minutes.
func NewLimiters(limit rate.Limit, burst, maxKeys int, idleAfter time.Duration) *Limiters {
	if maxKeys <= 0 {
		maxKeys = 100000
	}
	if idleAfter <= 0 {
		idleAfter = 10 * time.Minute
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiters{limit: limit, burst: burst, maxKeys: maxKeys, idleAfter: idleAfter, m: map[string]*limiterEntry{}}
}

// Get returns key's limiter and how long from now until it holds a
// request (0: it holds one now). It takes nothing from the bucket.
func (l *Limiters) Get(key string, now time.Time) (*rate.Limiter, time.Duration) {
	lim := l.get(key, now)
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return lim, 0
	}
	return lim, time.Duration((1 - tokens) / float64(l.limit) * float64(time.Second))
}

func (l *Limiters) get(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.idleAfter/2 {
		l.sweep(now)
	}
	e, ok := l.m[key]
	if !ok {
		if len(l.m) >= l.maxKeys {
			if now.Sub(l.lastSweep) >= time.Second {
				l.sweep(now)
			}
			for k := range l.m { // still full: drop any one
				if len(l.m) < l.maxKeys {
					break
				}
				delete(l.m, k)
			}
		}
		e = &limiterEntry{lim: rate.NewLimiter(l.limit, l.burst)}
		l.m[key] = e
	}
	e.used = now
	return e.lim
}

// Len is the number of keys held.
func (l *Limiters) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

func (l *Limiters) sweep(now time.Time) {
	l.lastSweep = now
	for k, e := range l.m {
		if now.Sub(e.used) >= l.idleAfter {
			delete(l.m, k)
		}
	}
}
