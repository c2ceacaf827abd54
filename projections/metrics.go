package projections

import (
	"context"
	"time"

	"docledger/eventstore"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the projections' Prometheus metrics. A nil *Metrics records
// nothing.
type Metrics struct {
	lagEvents  *prometheus.GaugeVec
	lagSeconds *prometheus.GaugeVec
	appliedC   *prometheus.CounterVec
	delay      *prometheus.HistogramVec
	failedG    *prometheus.GaugeVec
	retriesC   *prometheus.CounterVec
}

// NewMetrics registers the projection metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		lagEvents: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ledger", Name: "projection_lag_events",
			Help: "Events between a projection's checkpoint and the head of the log (by position)."}, []string{"projection"}),
		lagSeconds: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ledger", Name: "projection_lag_seconds",
			Help: "Age of the oldest event a projection has not applied yet (0 when caught up)."}, []string{"projection"}),
		appliedC: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ledger", Name: "projection_events_applied_total",
			Help: "Events applied by each projection."}, []string{"projection"}),
		delay: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: "ledger", Name: "projection_apply_delay_seconds",
			Help:    "Time from an event's commit to its projection's commit.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .2, .5, 1, 5, 30}}, []string{"projection"}),
		failedG: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ledger", Name: "projection_failed",
			Help: "1 when a projection stopped on an event it cannot apply."}, []string{"projection"}),
		retriesC: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ledger", Name: "projection_retries_total",
			Help: "Reads or batches a projection retried after a database or network fault."}, []string{"projection"}),
	}
	if reg != nil {
		reg.MustRegister(m.lagEvents, m.lagSeconds, m.appliedC, m.delay, m.failedG, m.retriesC)
	}
	return m
}

func (m *Metrics) observe(ctx context.Context, name string, log eventstore.LogReader, checkpoint int64, pending []eventstore.Record) {
	if m == nil {
		return
	}
	if len(pending) == 0 {
		m.lagEvents.WithLabelValues(name).Set(0)
		m.lagSeconds.WithLabelValues(name).Set(0)
		return
	}
	m.lagSeconds.WithLabelValues(name).Set(time.Since(pending[0].RecordedAt).Seconds())
	if head, _, err := log.Head(ctx); err == nil && head >= checkpoint {
		m.lagEvents.WithLabelValues(name).Set(float64(head - checkpoint))
	}
}

func (m *Metrics) applied(name string, events []eventstore.Record, at time.Time) {
	if m == nil {
		return
	}
	m.appliedC.WithLabelValues(name).Add(float64(len(events)))
	h := m.delay.WithLabelValues(name)
	for _, e := range events {
		h.Observe(at.Sub(e.RecordedAt).Seconds())
	}
}

func (m *Metrics) failed(name string, f bool) {
	if m == nil {
		return
	}
	v := 0.0
	if f {
		v = 1
	}
	m.failedG.WithLabelValues(name).Set(v)
}

func (m *Metrics) retried(name string) {
	if m == nil {
		return
	}
	m.retriesC.WithLabelValues(name).Inc()
}
