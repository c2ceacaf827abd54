package eventstore_test

import (
	"testing"

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
