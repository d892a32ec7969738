package main

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// auditMetrics are the audit writer's figures on the gateway's /metrics:
// how many events each group commit carried and how long it took (the
// proxy counts the events it could not record, hfgate_audit_failures_total).
type auditMetrics struct {
	batch   prometheus.Histogram
	commit  prometheus.Histogram
	failing prometheus.Counter
}

func newAuditMetrics() *auditMetrics {
	return &auditMetrics{
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hfgate_audit_batch_events", Help: "Audit events per group commit.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512},
		}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "hfgate_audit_commit_seconds", Help: "Time of one audit group commit.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .5, 1},
		}),
		failing: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hfgate_audit_batch_failures_total", Help: "Audit group commits the store refused.",
		}),
	}
}

// observe is audit.Config.OnBatch.
func (m *auditMetrics) observe(events int, took time.Duration, err error) {
	if err != nil {
		m.failing.Inc()
		return
	}
	m.batch.Observe(float64(events))
	m.commit.Observe(took.Seconds())
}

func (m *auditMetrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.batch, m.commit, m.failing} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
