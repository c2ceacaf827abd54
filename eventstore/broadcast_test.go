package eventstore_test

import (
	"testing"
	"time"

	"docledger/eventstore"
)

func TestBroadcastWakesEveryWaiterOnce(t *testing.T) {
	b := eventstore.NewBroadcast()
	w1, w2 := b.Wait(), b.Wait()
	b.Fire()
	for i, w := range []<-chan struct{}{w1, w2} {
		select {
		case <-w:
		default:
			t.Fatalf("waiter %d not woken", i)
		}
	}
	select {
	case <-b.Wait():
		t.Fatal("a channel taken after the fire is already closed")
	default:
	}
}

func TestBackoff(t *testing.T) {
	b := eventstore.Backoff{First: 100 * time.Millisecond}
	var got []time.Duration
	for range 8 {
		got = append(got, b.Next(time.Second))
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("backoff %v, want %v ms", got, want)
		}
	}
	b.Reset()
	if d := b.Next(time.Second); d != 100*time.Millisecond {
		t.Fatalf("after reset %v", d)
	}
}

func TestBackoffZeroStartsAt2ms(t *testing.T) {
	var b eventstore.Backoff
	if d := b.Next(time.Second); d != 2*time.Millisecond {
		t.Fatalf("first pause %v", d)
	}
	if d := b.Next(3 * time.Millisecond); d != 3*time.Millisecond {
		t.Fatalf("capped pause %v", d)
	}
}
