package proxy_test

import (
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// TestMetrics: requests by route and status, decisions by rule, bytes by
// source and upstream latency are counted.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	lfs := files[1]
	fi := stat(t, e, lfs)
	e.get("/api/models/"+hubsim.RepoTiny, "bob", nil)
	e.get(lfs.urlPath, "bob", nil)
	e.get("/"+hubsim.RepoQwenCoder7BGGUF+"/resolve/main/README.md", "bob", nil)
	e.get("/api/models?search=tiny-llama", "bob", nil)

	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"hfgate_proxy_requests_total", map[string]string{"route": "repo-info", "code": "200"}, 1},
		{"hfgate_proxy_requests_total", map[string]string{"route": "resolve", "code": "200"}, 1},
		{"hfgate_proxy_requests_total", map[string]string{"route": "resolve", "code": "403"}, 1},
		{"hfgate_policy_decisions_total", map[string]string{"action": "read", "decision": "allow", "rule": "everyone-browses"}, 1},
		{"hfgate_policy_decisions_total", map[string]string{"action": "download", "decision": "deny", "rule": "default-deny"}, 1},
		{"hfgate_policy_decisions_total", map[string]string{"action": "search", "decision": "allow"}, 1},
		{"hfgate_proxy_file_bytes_total", map[string]string{"source": "hub"}, float64(fi.Size)},
		{"hfgate_audit_failures_total", nil, 0},
	} {
		if got := counter(t, e.reg, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	mfs, _ := e.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "hfgate_upstream_request_duration_seconds" {
			var n uint64
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
			if n < 4 {
				t.Errorf("%d upstream latencies observed, want at least 4", n)
			}
			return
		}
	}
	t.Error("no hfgate_upstream_request_duration_seconds")
}
