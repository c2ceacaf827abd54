package eventstore

import (
	"sync"
	"time"
)

// Broadcast is the wake-up behind a LogReader's Wake: Wait returns a
// channel that the next Fire closes, waking every reader that took it at
// once. The zero value is not ready; use NewBroadcast.
type Broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

// NewBroadcast returns a broadcast with no wake-up pending.
func NewBroadcast() *Broadcast { return &Broadcast{ch: make(chan struct{})} }

// Wait returns the channel the next Fire closes.
func (b *Broadcast) Wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

// Fire wakes everyone waiting.
func (b *Broadcast) Fire() {
	b.mu.Lock()
	close(b.ch)
	b.ch = make(chan struct{})
	b.mu.Unlock()
}

// Backoff is a pause that doubles from First to a ceiling, for a store's
// readers that look again while something is not there yet (events held
// back, a subscription being re-established). The zero Backoff starts at
// 2ms.
type Backoff struct {
	First time.Duration
	d     time.Duration
}

// Next is the next pause, at most ceiling.
func (b *Backoff) Next(ceiling time.Duration) time.Duration {
	switch {
	case b.d == 0 && b.First > 0:
		b.d = b.First
	case b.d == 0:
		b.d = 2 * time.Millisecond
	case b.d < ceiling:
		b.d *= 2
	}
	return min(b.d, ceiling)
}

// Reset starts the pauses over from First.
func (b *Backoff) Reset() { b.d = 0 }
