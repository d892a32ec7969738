package gateway

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hfgate/hfgate/identity"
)

// metrics are the gateway identity's Prometheus metrics, in a registry of
// its own (with the Go and process collectors).
type metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	authFailures prometheus.Counter
	signIns      *prometheus.CounterVec
	grants       *prometheus.CounterVec
	issued       *prometheus.CounterVec
	reuses       prometheus.Counter
	revoked      *prometheus.CounterVec
	exchanges    *prometheus.CounterVec
}

func newMetrics(c *identity.Checker) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "hfgate_http_request_duration_seconds", Help: "Time to answer HTTP requests, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hfgate_auth_failures_total", Help: "Requests refused for a bad token, or credentials that could not be checked.",
		}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_signins_total", Help: "Browser sign-ins by provider and result.",
		}, []string{"provider", "result"}),
		grants: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_token_grants_total", Help: "Token endpoint requests by grant type and result.",
		}, []string{"grant", "result"}),
		issued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_tokens_issued_total", Help: "Gateway tokens issued, by kind.",
		}, []string{"kind"}),
		reuses: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hfgate_refresh_reuse_total", Help: "Spent refresh tokens presented again (each revoked its sign-in).",
		}),
		revoked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_revocations_total", Help: "Revocations made through this replica, by what was revoked.",
		}, []string{"what"}),
		exchanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hfgate_ci_exchanges_total", Help: "CI token exchanges, granted or refused (by why).",
		}, []string{"result", "reason"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.authFailures, m.signIns, m.grants, m.issued, m.reuses, m.revoked, m.exchanges,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hfgate_token_checks_cached_total", Help: "Token and session checks answered from the in-process cache.",
		}, func() float64 { h, _ := c.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "hfgate_token_checks_stored_total", Help: "Token and session checks that read the store.",
		}, func() float64 { _, m := c.Stats(); return float64(m) }),
	)
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
