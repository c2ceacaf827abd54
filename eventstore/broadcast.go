package eventstore

import "sync"

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
