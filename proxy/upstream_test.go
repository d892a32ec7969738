package proxy_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/proxy"
)

// requests are one of each kind the proxy serves.
var requests = []struct{ method, path string }{
	{"GET", "/api/models/" + hubsim.RepoTiny},
	{"GET", "/api/models/" + hubsim.RepoTiny + "/tree/main"},
	{"GET", "/api/models?search=tiny"},
	{"HEAD", "/" + hubsim.RepoTiny + "/resolve/main/tiny-llama-Q2_K.gguf"},
	{"GET", "/" + hubsim.RepoTiny + "/resolve/main/tiny-llama-Q2_K.gguf"},
}

// TestUpstreamUnreachable: a Hub that cannot be reached is a 502 with a
// message, never a 401 or 404, and is recorded.
func TestUpstreamUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	l.Close()
	e := newEnv(t, withFront(func(testing.TB, string) string { return dead }))
	for _, r := range requests {
		resp, _ := e.get2(r.method, r.path, "bob")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(resp.Header.Get("X-Error-Message"), "cannot reach the Hub") {
			t.Errorf("%s %s with the Hub down = %d %q, want 502", r.method, r.path, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
		if ev := e.lastEvent(); ev.Status != http.StatusBadGateway || ev.Kind != hfgate.AuditKindDecision {
			t.Errorf("%s %s recorded %s %d", r.method, r.path, ev.Kind, ev.Status)
		}
	}
	if got := counter(t, e.reg, "hfgate_upstream_failures_total", map[string]string{"kind": "unreachable"}); got != float64(len(requests)) {
		t.Errorf("hfgate_upstream_failures_total{kind=unreachable} = %v, want %d", got, len(requests))
	}
}

// TestUpstreamTimeout: a Hub that does not answer in time is a 504.
func TestUpstreamTimeout(t *testing.T) {
	e := newEnv(t, withProxy(func(c *proxy.Config) { c.MetadataTimeout = 100 * time.Millisecond }))
	if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostHub, Latency: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	for _, r := range requests {
		resp, _ := e.get2(r.method, r.path, "bob")
		if resp.StatusCode != http.StatusGatewayTimeout || resp.Header.Get("X-Error-Message") == "" {
			t.Errorf("%s %s with a slow Hub = %d %q, want 504", r.method, r.path, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
	}
}

// TestUpstreamErrorsPassed: the Hub's own 5xx and 429 reach the client
// with their Retry-After, so that clients retry or fall back.
func TestUpstreamErrorsPassed(t *testing.T) {
	e := newEnv(t)
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInternalServerError} {
		if err := e.hub.SetFaults(hubsim.FaultRule{Host: hubsim.HostHub, Status: status, RetryAfter: 7 * time.Second}); err != nil {
			t.Fatal(err)
		}
		for _, r := range requests {
			resp, _ := e.get2(r.method, r.path, "bob")
			if resp.StatusCode != status || resp.Header.Get("Retry-After") != "7" {
				t.Errorf("%s %s with the Hub answering %d = %d, Retry-After %q", r.method, r.path, status, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		}
	}
}

// TestUpstreamCredentialNeverReachesClient: a Hub (here a misbehaving
// front) that echoes the upstream credential in headers and bodies never
// gets it to the client.
func TestUpstreamCredentialNeverReachesClient(t *testing.T) {
	e := newEnv(t, withFront(echoFront))
	resp, body := e.get("/api/models/"+hubsim.RepoTiny, "bob", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET = %d", resp.StatusCode)
	}
	checkNoSecret(t, e, resp, body)
	resp, body = e.get("/api/models/"+hubsim.RepoTiny+"/refs?echo=body", "bob", nil)
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("an answer with the credential in its body = %d %s, want 502", resp.StatusCode, body)
	}
	checkNoSecret(t, e, resp, body)
	resp, body = e.get("/"+hubsim.RepoTiny+"/resolve/main/tiny-llama-Q2_K.gguf", "bob", http.Header{"Range": {"bytes=0-9"}})
	if resp.StatusCode != http.StatusPartialContent {
		t.Fatalf("GET a file = %d", resp.StatusCode)
	}
	checkNoSecret(t, e, resp, body)
}

func checkNoSecret(t *testing.T, e *env, resp *http.Response, body []byte) {
	t.Helper()
	secret := e.users["bob"].up
	for k, vs := range resp.Header {
		if strings.Contains(strings.Join(vs, " "), secret) {
			t.Errorf("header %s carries the upstream credential", k)
		}
	}
	if strings.Contains(string(body), secret) {
		t.Errorf("the body carries the upstream credential")
	}
}

// echoFront is a Hub that echoes the Authorization it receives in a
// header of every answer, and in the body when asked with echo=body.
func echoFront(t testing.TB, hubURL string) string {
	target, _ := url.Parse(hubURL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		auth := resp.Request.Header.Get("Authorization")
		resp.Header.Set("X-Echo", auth)
		resp.Header.Add("Link", "<"+hubURL+"/?t="+url.QueryEscape(auth)+">; rel=\"debug\"")
		if resp.Request.URL.Query().Get("echo") == "body" {
			resp.Body.Close()
			b := `{"auth":"` + auth + `"}`
			resp.Body = io.NopCloser(strings.NewReader(b))
			resp.ContentLength = int64(len(b))
			resp.Header.Del("Content-Length")
		}
		return nil
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestUpstreamCredentialRefused: when the Hub refuses the credential the
// gateway holds for a caller, the caller gets a 502 that says so, not a
// 401 that blames their gateway token.
func TestUpstreamCredentialRefused(t *testing.T) {
	e := newEnv(t)
	e.users["bob"].up = "hf_revoked0123456789012345678901234567"
	for _, r := range requests {
		resp, _ := e.get2(r.method, r.path, "bob")
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(resp.Header.Get("X-Error-Message"), "credential") {
			t.Errorf("%s %s with a revoked upstream token = %d %q", r.method, r.path, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
	}
}

// TestUpstreamTokenErrors: the TokenFunc's errors reach the client by
// their code.
func TestUpstreamTokenErrors(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
	}{
		{hfgate.Errorf(hfgate.EUNAUTHORIZED, "your Hugging Face sign-in at the gateway has expired").WithAction(hfgate.ActionSignIn), 401},
		{hfgate.Errorf(hfgate.EUNAVAILABLE, "the Hub's sign-in service cannot be reached"), 503},
	} {
		e := newEnv(t, withProxy(func(c *proxy.Config) {
			c.Token = func(context.Context, *hfgate.Principal) (string, error) { return "", tt.err }
		}))
		resp, _ := e.get2("GET", "/api/models/"+hubsim.RepoTiny, "bob")
		if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Message") != hfgate.ErrorMessage(tt.err) {
			t.Errorf("with the token error %v: %d %q", tt.err, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
	}
}
