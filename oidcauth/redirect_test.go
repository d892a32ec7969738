package oidcauth

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
)

// recorder is another host: it records every request that reaches it.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // method, Authorization and body of each request
}

func newRecorder(tb testing.TB) *recorder {
	r := &recorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.seen = append(r.seen, req.Method+" "+req.Header.Get("Authorization")+" "+string(body))
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{"access_token": "stolen", "token_type": "Bearer", "sub": "x"})
	}))
	tb.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// redirector answers every request with a redirect to target.
func redirector(tb testing.TB, status int, target string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, target, status)
	}))
	tb.Cleanup(srv.Close)
	return srv.URL
}

func TestTokenEndpointRedirectNotFollowed(t *testing.T) {
	for _, status := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound} {
		p := newProvider(t)
		evil := newRecorder(t)
		p.discovery = map[string]any{"token_endpoint": redirector(t, status, evil.srv.URL+"/token")}
		c := mustOpen(t, p, func(cfg *Config) { cfg.HTTPClient = http.DefaultClient })
		res, err := signIn(t, p, c)
		if err == nil {
			t.Fatalf("status %d: Exchange succeeded with %q through a redirected token endpoint", status, res.Token.AccessToken)
		}
		wantError(t, p, err, hfgate.EINVALID, "redirected elsewhere")
		if got := evil.requests(); len(got) != 0 {
			t.Errorf("status %d: the other host received %q", status, got)
		}
	}
}

func TestUserinfoRedirectToOtherOriginRefused(t *testing.T) {
	p := newProvider(t)
	evil := newRecorder(t)
	p.discovery = map[string]any{"userinfo_endpoint": redirector(t, http.StatusFound, evil.srv.URL+"/userinfo")}
	c := mustOpen(t, p, nil)
	if _, err := signIn(t, p, c); err == nil {
		t.Fatal("sign-in succeeded although userinfo redirected to another origin")
	}
	for _, req := range evil.requests() {
		if strings.Contains(req, "Bearer") {
			t.Errorf("the other origin received a bearer token: %q", req)
		}
	}
}

func TestDeviceStartRefusesUnsafeVerificationURI(t *testing.T) {
	for _, uri := range []string{"file:///etc/passwd", "javascript:alert(1)", "http://example.com/device", "-flag", "ms-settings:x"} {
		p := newProvider(t)
		p.deviceURI = uri
		c := mustOpen(t, p, nil)
		dc, err := c.DeviceStart(context.Background())
		if err == nil {
			t.Errorf("DeviceStart accepted verification_uri %q: %+v", uri, dc)
			continue
		}
		if got := hfgate.ErrorCode(err); got != hfgate.EINVALID {
			t.Errorf("%q: code %s, want EINVALID (%v)", uri, got, err)
		}
	}
}
