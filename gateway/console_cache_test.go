package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
)

// TestConsoleCache: the console's cache page shows the figures and the
// largest files; an admin warms a file with its form (decided and audited
// as a download) and evicts it with another; bob, no admin, gets 403 for
// the page and both forms, and a form without the CSRF token changes
// nothing; /metrics counts the fill.
func TestConsoleCache(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	cache, err := blobcache.Open(context.Background(), blobcache.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	demo := trustAcmeApp(sim, openAudit(t, store))
	g := startGateway(t, sim, store, func(c *gateway.Config) { demo(c); c.Proxy.Cache = cache })
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()

	const file = "tiny-llama-Q2_K.gguf"
	fi, err := sim.Catalog().Stat(hubsim.RepoTiny, "main", file)
	if err != nil {
		t.Fatal(err)
	}
	warm := url.Values{"repo": {hubsim.RepoTiny}, "revision": {"main"}, "path": {file}}
	if resp := bob.postForm("/admin/cache/warm", warm); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob's warm form: %d, want 403", resp.StatusCode)
	}
	if resp := bob.get("/admin/cache"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob's cache page: %d, want 403", resp.StatusCode)
	}
	noCSRF := alice.do("POST", "/admin/cache/warm", strings.NewReader(warm.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": g.URL})
	if noCSRF.StatusCode != http.StatusForbidden {
		t.Errorf("a warm form without the CSRF token: %d, want 403", noCSRF.StatusCode)
	}
	if n := cache.Stats().Misses; n != 0 {
		t.Fatalf("%d fills before any allowed warm", n)
	}

	resp := alice.postForm("/admin/cache/warm", warm)
	body := readAll(resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/cache" || !strings.Contains(body, "warmed "+file) {
		t.Fatalf("alice's warm form: %d at %s: %.500s", resp.StatusCode, resp.Request.URL, body)
	}
	if !strings.Contains(body, `data-key="`+fi.SHA256+`"`) || !strings.Contains(body, "Hit ratio") {
		t.Errorf("the cache page lacks the warmed file or the figures:\n%.2000s", body)
	}
	evs, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindEnd}})
	if err != nil || len(evs.Events) != 1 || evs.Events[0].Username != "alice" || evs.Events[0].Source != hfgate.AuditFromHub {
		t.Fatalf("the warm's audit end: %v %+v", err, evs)
	}

	// /metrics has the cache's figures: one miss, the file's bytes from the Hub.
	metrics := readAll(bob.get("/metrics"))
	for _, want := range []string{`hfgate_cache_opens_total{result="miss"} 1`, `hfgate_cache_blobs 1`,
		"hfgate_cache_upstream_bytes_total " + strconv.FormatFloat(float64(fi.Size), 'g', -1, 64), "hfgate_cache_saved_bytes_total 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q:\n%s", want, grepLines(metrics, "hfgate_cache"))
		}
	}

	if resp := bob.postForm("/admin/cache/rm", url.Values{"key": {fi.SHA256}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob's evict form: %d, want 403", resp.StatusCode)
	}
	resp = alice.postForm("/admin/cache/rm", url.Values{"key": {fi.SHA256}})
	if body := readAll(resp); resp.StatusCode != http.StatusOK || strings.Contains(body, `data-key="`+fi.SHA256+`"`) {
		t.Errorf("after evicting: %d, the page still lists the file", resp.StatusCode)
	}
	if _, ok := cache.Stat(blobcache.Key(fi.SHA256)); ok {
		t.Error("the evicted blob is still in the cache")
	}
	// The notice is made from what the cache says, not from the link's words.
	for _, q := range []string{"?done=cache+corrupted%2C+run+rm", "?warmed=not-a-key", "?warmed=" + fi.SHA256, "?evicted=-1"} {
		if body := readAll(alice.get("/admin/cache" + q)); strings.Contains(body, "corrupted") || strings.Contains(body, "warmed ") || strings.Contains(body, "evicted -") {
			t.Errorf("/admin/cache%s shows a notice of nothing done:\n%.300s", q, body)
		}
	}
	evs, err = store.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindAdmin}, Action: "cache-remove"})
	if err != nil || len(evs.Events) != 1 || evs.Events[0].Username != "alice" {
		t.Errorf("the eviction's audit event: %v %+v", err, evs)
	}
}

// grepLines returns the lines of text that contain sub.
func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
