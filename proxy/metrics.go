package proxy

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// metrics are the proxy's Prometheus metrics.
type metrics struct {
	requests      *prometheus.CounterVec   // route, code
	decisions     *prometheus.CounterVec   // action, decision, rule
	bytes         *prometheus.CounterVec   // source
	upstream      *prometheus.HistogramVec // route
	upstreamFails *prometheus.CounterVec   // route, kind
	auditFailures prometheus.Counter
	metaCache     *prometheus.CounterVec // result
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_proxy_requests_total",
			Help: "Hub requests answered by the proxy, by route (the Hub action) and status code.",
		}, []string{"route", "code"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_policy_decisions_total",
			Help: "Policy decisions on Hub requests (search results included), by action, decision and rule.",
		}, []string{"action", "decision", "rule"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_proxy_file_bytes_total",
			Help: "File bytes sent to clients, by where they came from (hub or cache).",
		}, []string{"source"}),
		upstream: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hfgate_upstream_request_duration_seconds",
			Help:    "Time from a request to the Hub (or its CDN) to its answer's headers, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		upstreamFails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_upstream_failures_total",
			Help: "Requests to the Hub or its CDN that got no usable answer, by route and kind (unreachable, timeout, cut, refused).",
		}, []string{"route", "kind"}),
		metaCache: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_cache_metadata_total",
			Help: "Answers about files and repos the cache was asked for, by result: fresh (answered from the cache), miss (asked the Hub), offline (answered from the cache while the Hub was down), offline-miss (504).",
		}, []string{"result"}),
		auditFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hfgate_audit_failures_total",
			Help: "Audit events the proxy could not record; each refused its request (503) unless its bytes were already sent.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.requests, m.decisions, m.bytes, m.upstream, m.upstreamFails, m.auditFailures, m.metaCache} {
			if err := reg.Register(c); err != nil {
				return nil, hfgate.WrapError(hfgate.EINVALID, err, "proxy: register metrics")
			}
		}
	}
	return m, nil
}

func (m *metrics) request(route hubroute.Action, status int) {
	if route == "" {
		route = "none"
	}
	if status == 0 {
		status = 499 // the client went away before an answer
	}
	m.requests.WithLabelValues(string(route), strconv.Itoa(status)).Inc()
}

func (m *metrics) decision(action hfgate.RepoAction, allow bool, rule string) {
	m.decisions.WithLabelValues(string(action), allowWord(allow), rule).Inc()
}

func allowWord(allow bool) string {
	if allow {
		return "allow"
	}
	return "deny"
}
