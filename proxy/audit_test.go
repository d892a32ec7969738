package proxy_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// TestAuditEvents: one decision event per request that serves no file
// bytes, an intent before the first byte and an end after the last for
// those that do, with who, what and what was served; the chain verifies.
func TestAuditEvents(t *testing.T) {
	e := newEnv(t)
	lfs := files[1]
	fi := stat(t, e, lfs)
	ua := http.Header{"User-Agent": {"huggingface_hub/0.36.2; python/3.11"}}

	steps := []struct {
		method, path, as string
		range_           string
		kinds            []hfgate.AuditKind
		status           int
		bytes            int64
	}{
		{"GET", "/api/models/" + hubsim.RepoTiny + "?blobs=true", "bob", "", []hfgate.AuditKind{hfgate.AuditKindDecision}, 200, 0},
		{"HEAD", lfs.urlPath, "bob", "", []hfgate.AuditKind{hfgate.AuditKindDecision}, 200, 0},
		{"GET", lfs.urlPath, "bob", "", []hfgate.AuditKind{hfgate.AuditKindIntent, hfgate.AuditKindEnd}, 200, fi.Size},
		{"GET", lfs.urlPath, "alice", "bytes=100-199", []hfgate.AuditKind{hfgate.AuditKindIntent, hfgate.AuditKindEnd}, 206, 100},
		{"GET", "/" + hubsim.RepoQwenCoder7BGGUF + "/resolve/main/README.md", "bob", "", []hfgate.AuditKind{hfgate.AuditKindDecision}, 403, 0},
		{"GET", "/" + hubsim.RepoTiny + "/resolve/main/missing.bin", "bob", "", []hfgate.AuditKind{hfgate.AuditKindDecision}, 404, 0},
	}
	for _, s := range steps {
		before := len(e.events())
		h := ua.Clone()
		if s.range_ != "" {
			h.Set("Range", s.range_)
		}
		resp := e.do(s.method, s.path, s.as, h, nil)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// The end is recorded after the last byte, which the client may
		// have read first.
		eventually(t, "the events", func() bool { return len(e.events()) >= before+len(s.kinds) })
		evs := e.events()[before:]
		if len(evs) != len(s.kinds) {
			t.Fatalf("%s %s wrote %d events, want %d", s.method, s.path, len(evs), len(s.kinds))
		}
		for i, ev := range evs {
			if ev.Kind != s.kinds[i] {
				t.Errorf("%s %s event %d is %s, want %s", s.method, s.path, i, ev.Kind, s.kinds[i])
			}
			u := e.users[s.as]
			if ev.RequestID != resp.Header.Get("X-Request-Id") || ev.Username != s.as || ev.Subject != u.p.Subject || ev.TokenID != u.p.TokenID {
				t.Errorf("event %s: request %q user %q subject %q token %q; want %q, %q, %q, %q", ev.Kind, ev.RequestID, ev.Username,
					ev.Subject, ev.TokenID, resp.Header.Get("X-Request-Id"), s.as, u.p.Subject, u.p.TokenID)
			}
			if ev.ClientIP != "127.0.0.1" || ev.UserAgent != ua.Get("User-Agent") || ev.Method != s.method || strings.Contains(ev.Path, "?") {
				t.Errorf("event %s: from %q, %q, %s %s", ev.Kind, ev.ClientIP, ev.UserAgent, ev.Method, ev.Path)
			}
		}
		last := evs[len(evs)-1]
		if last.Status != s.status || last.Bytes != s.bytes {
			t.Errorf("%s %s: recorded status %d and %d bytes, want %d and %d", s.method, s.path, last.Status, last.Bytes, s.status, s.bytes)
		}
		if last.Kind == hfgate.AuditKindEnd {
			if last.Outcome != hfgate.AuditComplete || last.Source != hfgate.AuditFromHub || last.SHA256 != fi.SHA256 ||
				last.Commit != fi.Commit || last.File != lfs.path || last.Repo != hfgate.RepoID(lfs.repo) || last.Revision != "main" {
				t.Errorf("end event: %+v", last)
			}
			if intent := evs[0]; intent.Decision != hfgate.AuditAllow || intent.Rule == "" || intent.Seq >= last.Seq {
				t.Errorf("intent: decision %q rule %q seq %d (end %d)", intent.Decision, intent.Rule, intent.Seq, last.Seq)
			}
		}
	}

	report, err := audit.Verify(t.Context(), e.store)
	if err != nil || !report.OK() {
		t.Fatalf("audit.Verify = %+v, %v", report, err)
	}
	downloads, _, err := audit.Downloads(t.Context(), e.store, hfgate.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(downloads) != 2 {
		t.Fatalf("%d downloads, want 2", len(downloads))
	}
	for _, d := range downloads {
		if d.Outcome() != hfgate.AuditComplete || d.End == nil || d.End.SHA256 != fi.SHA256 {
			t.Errorf("download %s: %s", d.Intent.RequestID, d.Outcome())
		}
	}
}

// TestAuditFailsClosed: when the audit store cannot take an event, every
// request is answered 503, nothing of a file is served, and the metric
// counts it.
func TestAuditFailsClosed(t *testing.T) {
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gw.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, withStore(store))
	lfs := files[1]
	if resp := e.do(http.MethodHead, lfs.urlPath, "bob", nil, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("HEAD with the store up = %d", resp.StatusCode)
	}
	store.Close() // the database is gone

	for _, r := range []struct{ method, path, as string }{
		{"GET", "/api/models/" + hubsim.RepoTiny, "bob"},
		{"HEAD", lfs.urlPath, "bob"},
		{"GET", lfs.urlPath, "bob"},
		{"GET", "/api/models?search=tiny", ""},
		{"GET", "/" + hubsim.RepoQwenCoder7BGGUF + "/resolve/main/README.md", "bob"}, // a denial too
	} {
		resp, body := e.get2(r.method, r.path, r.as)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(resp.Header.Get("X-Error-Message"), "audit") {
			t.Errorf("%s %s with the audit store down = %d %q", r.method, r.path, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
		if strings.Contains(string(body), "GGUF") || resp.Header.Get("X-Repo-Commit") != "" {
			t.Errorf("%s %s served something: %q, X-Repo-Commit %q", r.method, r.path, body, resp.Header.Get("X-Repo-Commit"))
		}
	}
	if got := counter(t, e.reg, "hfgate_audit_failures_total", nil); got != 5 {
		t.Errorf("hfgate_audit_failures_total = %v, want 5", got)
	}
	if got := counter(t, e.reg, "hfgate_proxy_requests_total", map[string]string{"route": "resolve", "code": "503"}); got != 3 {
		t.Errorf(`hfgate_proxy_requests_total{route="resolve",code="503"} = %v, want 3`, got)
	}
}

// get2 is get with a method.
func (e *env) get2(method, path, as string) (*http.Response, []byte) {
	e.t.Helper()
	resp := e.do(method, path, as, nil, nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// TestAuditClientGoesAway: a client that hangs up mid-file leaves an end
// event with outcome canceled and the bytes it was sent.
func TestAuditClientGoesAway(t *testing.T) {
	e := newEnv(t)
	big := "/" + hubsim.RepoBenchmark + "/resolve/main/blob-2GiB.bin"
	ctx, cancel := context.WithCancel(t.Context())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.url+big, nil)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", big, resp.StatusCode)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 1<<20); err != nil {
		t.Fatal(err)
	}
	cancel()
	resp.Body.Close()
	end := e.endOf(resp)
	if end.Outcome != hfgate.AuditCanceled || end.Bytes < 1<<20 || end.Bytes >= 2<<30 {
		t.Errorf("end: %s after %d bytes, want canceled after at least 1 MiB", end.Outcome, end.Bytes)
	}
}

// counter returns the value of a counter of reg with the labels given
// (summed over the others).
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for k, v := range labels {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == k && lp.GetValue() == v {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}
