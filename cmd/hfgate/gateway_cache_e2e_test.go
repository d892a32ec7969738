package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// TestGatewayCacheE2E: the team cache through the real binary, on SQLite.
// hfgate admin cache warm fills a replica's cache (--include), stats and
// ls show it within [cache] max_size after evictions; bob is refused a
// gated file alice's download put in the cache, and alice too once the
// Hub revokes her access (within [cache] rights_ttl); a restarted
// gateway serves what it kept without the CDN; with hubsim stopped, a
// cached file still downloads with hfgate download and an uncached one
// gets 504 (exit 6); admin cache rm --repo empties a repo.
func TestGatewayCacheE2E(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	cat := e.hub.Catalog()
	ggufs := []string{"tiny-llama-Q2_K.gguf", "tiny-llama-Q4_K_M.gguf", "tiny-llama-Q8_0.gguf"}
	var sizes []int64
	for _, f := range ggufs {
		fi, err := cat.Stat(hubsim.RepoTiny, "main", f)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, fi.Size)
	}
	// Room for the last two warmed, not for all three.
	maxSize := sizes[1] + sizes[2] + 64<<10
	config := e.gatewayConfigFile(e.newKey("k1"))
	cacheDir := filepath.Join(t.TempDir(), "cache")
	appendFile(t, config, fmt.Sprintf(`
[cache]
dir = %q
max_size = "%d"
rights_ttl = "1s"

[[policy.rule]]
name = "everyone-everything"
effect = "allow"
actions = ["*"]
repos = ["*"]
subjects = [{ anyone = true }]
`, cacheDir, maxSize))
	db := "sqlite:" + filepath.Join(t.TempDir(), "gateway.db")
	gw := e.serve(config, db)
	state := []string{"--config", config, "--database", db}

	tokens := map[string]string{}
	for _, user := range []string{"alice", "bob"} {
		e.signInGateway(e.gwBrowser(user), gw.url)
		var created struct{ Token string }
		out := e.mustRun("", append([]string{"admin", "tokens", "create", "--user", user, "--name", "e2e", "--json"}, state...)...)
		if err := json.Unmarshal([]byte(out.stdout), &created); err != nil || created.Token == "" {
			t.Fatalf("admin tokens create: %q", out.stdout)
		}
		tokens[user] = created.Token
	}
	as := func(user string, args ...string) result {
		t.Helper()
		saved := e.env
		defer func() { e.env = saved }()
		e.env = append(append([]string(nil), saved...), "HF_ENDPOINT="+gw.url, "HF_TOKEN="+tokens[user],
			"HF_HOME="+filepath.Join(e.home, "hf-"+user+"-"+fmt.Sprint(time.Now().UnixNano())))
		return e.run("", args...)
	}
	cacheStats := func() (s struct {
		Size, MaxSize, Blobs, Evictions, Hits int64
	}) {
		t.Helper()
		r := as("alice", "admin", "cache", "stats", "--json", "--gateway", gw.url)
		var raw map[string]int64
		if r.code != 0 {
			t.Fatalf("admin cache stats: exit %d: %s", r.code, r.stderr)
		}
		// Float fields (hit_ratio) do not decode as int64: pick the ones needed.
		var m map[string]any
		json.Unmarshal([]byte(r.stdout), &m)
		raw = map[string]int64{}
		for k, v := range m {
			if f, ok := v.(float64); ok {
				raw[k] = int64(f)
			}
		}
		s.Size, s.MaxSize, s.Blobs, s.Evictions, s.Hits = raw["size"], raw["max_size"], raw["blobs"], raw["evictions"], raw["hits"]
		return s
	}

	// bob is no admin.
	if r := as("bob", "admin", "cache", "stats", "--gateway", gw.url); r.code != exitGated || !strings.Contains(r.stderr, "not an admin") {
		t.Errorf("bob: admin cache stats: exit %d: %s", r.code, r.stderr)
	}

	// Warm the three GGUF files, one at a time: the first is evicted.
	for _, f := range ggufs {
		r := as("alice", "admin", "cache", "warm", hubsim.RepoTiny, "--include", f, "--json", "--gateway", gw.url)
		if r.code != 0 || !strings.Contains(r.stdout, f) || !strings.Contains(r.stderr, "warming "+f) {
			t.Fatalf("admin cache warm --include %s: exit %d: %s %s", f, r.code, r.stdout, r.stderr)
		}
	}
	st := cacheStats()
	if st.Size > maxSize || st.MaxSize != maxSize || st.Evictions < 1 || st.Blobs != 2 {
		t.Errorf("after warming three files: %+v; want at most %d bytes, 2 blobs, an eviction", st, maxSize)
	}
	r := as("alice", "admin", "cache", "ls", "--json", "--gateway", gw.url)
	var entries []struct{ Key, Repo, Path string }
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("admin cache ls --json: %v %q", err, r.stdout)
	}
	for _, en := range entries {
		if en.Repo != hubsim.RepoTiny || en.Path == ggufs[0] || len(en.Key) != 64 {
			t.Errorf("ls entry %+v", en)
		}
	}
	if r := as("alice", "admin", "cache", "ls", "--gateway", gw.url); r.code != 0 || !strings.Contains(r.stdout, ggufs[2]) {
		t.Errorf("admin cache ls: exit %d: %s", r.code, r.stdout)
	}

	// A warmed file is downloaded from the cache: the CDN sends nothing.
	cdn := e.hub.Counters().Hosts[hubsim.HostCDN].Bytes
	if r := as("bob", "download", hubsim.RepoTiny, ggufs[2]); r.code != 0 {
		t.Fatalf("bob: download of a warmed file: exit %d: %s", r.code, r.stderr)
	}
	if n := e.hub.Counters().Hosts[hubsim.HostCDN].Bytes - cdn; n != 0 {
		t.Errorf("the CDN sent %d bytes for a warmed file", n)
	}

	// A gated file alice's download put in the cache is not bob's.
	const gated, gatedFile = hubsim.RepoGated, "config.json"
	if r := as("alice", "download", gated, gatedFile); r.code != 0 {
		t.Fatalf("alice: gated download: exit %d: %s", r.code, r.stderr)
	}
	if r := as("bob", "download", gated, gatedFile); r.code != exitGated {
		t.Errorf("bob: alice's cached gated file: exit %d: %s; want %d", r.code, r.stderr, exitGated)
	}
	if err := e.hub.RevokeAccess(gated, "alice"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // [cache] rights_ttl
	if r := as("alice", "download", gated, gatedFile); r.code != exitGated {
		t.Errorf("alice after her access was revoked: exit %d: %s; want %d", r.code, r.stderr, exitGated)
	}

	// A restart keeps the cache.
	e.stop(gw)
	gw = e.serve(config, db)
	cdn = e.hub.Counters().Hosts[hubsim.HostCDN].Bytes
	if r := as("bob", "download", hubsim.RepoTiny, ggufs[1]); r.code != 0 {
		t.Fatalf("bob after a restart: exit %d: %s", r.code, r.stderr)
	}
	if n := e.hub.Counters().Hosts[hubsim.HostCDN].Bytes - cdn; n != 0 {
		t.Errorf("after a restart, the CDN sent %d bytes for a cached file", n)
	}
	if st := cacheStats(); st.Blobs < 2 || st.Hits < 1 {
		t.Errorf("after a restart: %+v; want the blobs kept and a hit", st)
	}

	// The Hub down: what is cached is served, the rest is a 504.
	e.hub.Close()
	if r := as("bob", "download", hubsim.RepoTiny, ggufs[2]); r.code != 0 {
		t.Errorf("bob, the Hub down, a cached file: exit %d: %s", r.code, r.stderr)
	}
	if r := as("bob", "download", hubsim.RepoTiny, ggufs[0]); r.code != exitUnavailable || !strings.Contains(r.stderr, "cache has no copy") {
		t.Errorf("bob, the Hub down, an evicted file: exit %d: %s; want %d and the gateway's reason", r.code, r.stderr, exitUnavailable)
	}
	req, _ := http.NewRequest(http.MethodGet, gw.url+"/"+hubsim.RepoTiny+"/resolve/main/"+ggufs[0], nil)
	req.Header.Set("Authorization", "Bearer "+tokens["bob"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if msg := resp.Header.Get("X-Error-Message"); resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(msg, "cache has no copy") {
		t.Errorf("the Hub down, an evicted file = %d %q; want 504 saying the cache has no copy", resp.StatusCode, msg)
	}

	// rm --repo empties the repo's files.
	r = as("alice", "admin", "cache", "rm", "--repo", hubsim.RepoTiny, "--json", "--gateway", gw.url)
	var removed []struct{ Path string }
	if err := json.Unmarshal([]byte(r.stdout), &removed); r.code != 0 || err != nil || len(removed) < 2 {
		t.Fatalf("admin cache rm --repo: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := as("alice", "admin", "cache", "ls", "--json", "--gateway", gw.url); strings.Contains(r.stdout, hubsim.RepoTiny) {
		t.Errorf("after rm --repo, ls still lists it: %s", r.stdout)
	}
}
