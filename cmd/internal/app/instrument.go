package app

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"docledger/eventstore"
)

// instrumentedStore counts appends and times them, around any store.
type instrumentedStore struct {
	eventstore.Writer
	appends *prometheus.CounterVec
	latency prometheus.Histogram
	events  prometheus.Counter
}

func instrument(s eventstore.Writer, reg prometheus.Registerer) eventstore.Writer {
	i := &instrumentedStore{
		Writer: s,
		appends: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ledger", Name: "appends_total",
			Help: "Appends to the event store by outcome (ok, duplicate, conflict, error)."}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "ledger", Name: "append_duration_seconds",
			Help: "Latency of event store appends.", Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .5}}),
		events: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "ledger", Name: "events_appended_total",
			Help: "Events appended to the event store."}),
	}
	reg.MustRegister(i.appends, i.latency, i.events)
	return i
}

func (i *instrumentedStore) Append(ctx context.Context, stream string, expected eventstore.ExpectedVersion, events ...eventstore.Envelope) (eventstore.AppendResult, error) {
	start := time.Now()
	res, err := i.Writer.Append(ctx, stream, expected, events...)
	i.latency.Observe(time.Since(start).Seconds())
	switch {
	case err == nil && res.Duplicate:
		i.appends.WithLabelValues("duplicate").Inc()
	case err == nil:
		i.appends.WithLabelValues("ok").Inc()
		i.events.Add(float64(len(events)))
	case errorsIsConflict(err):
		i.appends.WithLabelValues("conflict").Inc()
	default:
		i.appends.WithLabelValues("error").Inc()
	}
	return res, err
}

func errorsIsConflict(err error) bool { return errors.Is(err, eventstore.ErrConflict) }
