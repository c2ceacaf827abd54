package bus_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"docledger/adapters/bus"
	"docledger/commands"
)

// BenchmarkBusSend measures the command path without HTTP: Bus.Send over
// the in-process transport to the handler, the aggregate, the append and
// back, each goroutine registering, sending and delivering its documents.
func BenchmarkBusSend(b *testing.B) {
	e := newEnv(b, bus.TransportGoChannel, nil)
	var n atomic.Int64
	b.SetParallelism(16) // 32 senders on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		var id uuid.UUID
		for i := 0; pb.Next(); i++ {
			var cmd commands.Command
			switch i % 3 {
			case 0:
				id = uuid.New()
				cmd = registerCmd(id)
			case 1:
				cmd = &commands.SendDocument{DocumentID: id}
			default:
				cmd = &commands.DeliverDocument{DocumentID: id}
			}
			if _, err := e.bus.Send(ctx, commands.Meta{CommandID: uuid.NewString()}, cmd); err != nil {
				b.Error(err)
				return
			}
			n.Add(1)
		}
	})
	b.ReportMetric(float64(n.Load())/b.Elapsed().Seconds(), "commands/s")
}
