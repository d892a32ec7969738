package proxy_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/proxy"
)

// userModeCache is a gateway in upstream mode user with a cache, whose
// policy lets everyone do everything: the Hub's gating, checked with each
// caller's own token, is all that keeps a gated file from bob.
func userModeCache(t *testing.T, opts ...envOption) *env {
	return newEnv(t, append([]envOption{withPolicy(everyoneEverything()), withCache(blobcache.Config{}),
		withProxy(func(c *proxy.Config) { c.CallerCredentials = true })}, opts...)...)
}

// TestRightsSeeIsNotGet: the Hub shows a gated repo's metadata to anyone
// who can see the repo, and its files only to those it granted. Reading
// that metadata through the gateway, from the Hub (bob's repo info, which
// nobody asked before) or from the cache (an anonymous tree listing alice's
// put there), is served as the Hub would serve it, and must not earn the
// caller the files alice's download put in the cache.
func TestRightsSeeIsNotGet(t *testing.T) {
	e := userModeCache(t)
	file := "/" + hubsim.RepoGated + "/resolve/main/config.json"
	if resp, _ := e.get(file, "alice", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("alice, granted the gated repo: %d", resp.StatusCode)
	}
	for _, tt := range []struct {
		who, meta   string
		aliceBefore bool // alice's request puts the answer in the cache first
	}{
		{"bob", "/api/models/" + hubsim.RepoGated, false},
		{"", "/api/models/" + hubsim.RepoGated + "/tree/main", true},
	} {
		if tt.aliceBefore {
			if resp, _ := e.get(tt.meta, "alice", nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("alice %s: %d", tt.meta, resp.StatusCode)
			}
		}
		if resp, _ := e.get(tt.meta, tt.who, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%q %s, which the Hub shows to anyone: %d %s", tt.who, tt.meta, resp.StatusCode, resp.Header.Get("X-Error-Message"))
		}
		for _, h := range []http.Header{nil, {"Range": {"bytes=0-9"}}} {
			if resp, body := e.get(file, tt.who, h); resp.StatusCode < 400 {
				t.Errorf("%q after %s got alice's cached gated file (%v): %d, %d bytes", tt.who, tt.meta, h, resp.StatusCode, len(body))
			}
		}
	}
}

// TestRightsOfflineTellNothing: while the Hub is down, bob gets the same
// answer for alice's private repo, whose info is in the cache, as for a repo
// never seen, so the cache does not tell him what alice has.
func TestRightsOfflineTellNothing(t *testing.T) {
	var down atomic.Bool
	e := userModeCache(t, withFront(func(t testing.TB, hubURL string) string {
		u, _ := url.Parse(hubURL)
		rp := httputil.NewSingleHostReverseProxy(u)
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() {
				panic(http.ErrAbortHandler)
			}
			rp.ServeHTTP(w, r)
		}))
		t.Cleanup(s.Close)
		return s.URL
	}))
	private := "/api/models/" + hubsim.RepoPrivateUser
	if resp, _ := e.get(private, "alice", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("alice, her private repo: %d", resp.StatusCode)
	}
	down.Store(true)
	if resp, _ := e.get(private, "alice", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("alice, her private repo from the cache with the Hub down: %d", resp.StatusCode)
	}
	cached, _ := e.get(private, "bob", nil)
	unseen, _ := e.get("/api/models/alice/no-such-repo", "bob", nil)
	if cached.StatusCode != unseen.StatusCode || cached.Header.Get("X-Error-Message") != unseen.Header.Get("X-Error-Message") {
		t.Errorf("with the Hub down, bob tells a cached private repo (%d %q) from one never seen (%d %q)",
			cached.StatusCode, cached.Header.Get("X-Error-Message"), unseen.StatusCode, unseen.Header.Get("X-Error-Message"))
	}
}
