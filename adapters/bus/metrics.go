package bus

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"docledger/commands"
)

// metrics of the command path: commands.Metrics on Prometheus.
type metrics struct {
	commands *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "ledger", Name: "commands_total",
			Help: "Commands handled, by command type and outcome (ok, duplicate, rejected, failed).",
		}, []string{"command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "ledger", Name: "command_duration_seconds",
			Help:    "Time from a command's arrival at its handler to its reply.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"command"}),
	}
	if reg != nil {
		reg.MustRegister(m.commands, m.latency)
	}
	return m
}

// CommandHandled counts the command by outcome and observes its duration.
func (m *metrics) CommandHandled(name string, outcome commands.Outcome, took time.Duration) {
	m.commands.WithLabelValues(name, string(outcome)).Inc()
	m.latency.WithLabelValues(name).Observe(took.Seconds())
}
