package gateway_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/policy"
	"github.com/hfgate/hfgate/proxy"
)

// proxied starts a gateway that serves the Hub's API with the demo policy
// and an audit log in its store, and returns it with personal tokens of
// alice and bob, who signed in with hubsim (so that the gateway holds
// their HF tokens, upstream mode user).
func proxied(t *testing.T, change func(*gateway.Config)) (g *gw, tokens map[string]string) {
	t.Helper()
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	w, err := audit.Open(t.Context(), store, audit.Config{Replica: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	pol, err := policy.New(policy.Demo())
	if err != nil {
		t.Fatal(err)
	}
	g = startGateway(t, sim, store, func(c *gateway.Config) {
		c.Proxy = proxy.Config{Policy: pol, Audit: w}
		if change != nil {
			change(c)
		}
	})
	tokens = map[string]string{}
	for _, user := range []string{"alice", "bob"} {
		b := newBrowser(t, g, user)
		b.signIn()
		tokens[user] = personalToken(t, g, b.account().User.Subject)
	}
	return g, tokens
}

// personalToken stores a personal token of subject and returns it.
func personalToken(t *testing.T, g *gw, subject string) string {
	t.Helper()
	secret, id, hash := hfgate.NewTokenSecret()
	now := time.Now()
	err := g.store.CreateTokens(t.Context(), &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal,
		Subject: subject, Name: "test", Created: now, Expires: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestProxy: behind the identity middleware, the proxy serves each caller
// with their own HF token upstream and the gateway's policy on top, and
// records who did what.
func TestProxy(t *testing.T) {
	g, tok := proxied(t, nil)
	qwen := "/" + hubsim.RepoQwenCoder7BGGUF + "/resolve/main/README.md"
	for _, tt := range []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"alice downloads Qwen (acme member)", qwen, tok["alice"], 200, ""},
		{"bob may not (the policy)", qwen, tok["bob"], 403, "GatedRepo"},
		{"bob reads Qwen's info", "/api/models/" + hubsim.RepoQwenCoder7BGGUF, tok["bob"], 200, ""},
		{"alice sees acme's private repo (her HF token)", "/api/models/" + hubsim.RepoPrivate, tok["alice"], 200, ""},
		{"bob does not (his HF token)", "/api/models/" + hubsim.RepoPrivate, tok["bob"], 404, "RepoNotFound"},
		{"a repo whose owner is a gateway route is the Hub's", "/static/x/resolve/main/y", tok["bob"], 403, "GatedRepo"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := bearerGet(t, g.URL+tt.path, tt.token)
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("X-Error-Code") != tt.code {
				t.Fatalf("GET %s = %d %q %q, want %d %q", tt.path, resp.StatusCode, resp.Header.Get("X-Error-Code"),
					resp.Header.Get("X-Error-Message"), tt.status, tt.code)
			}
		})
	}

	page, err := g.store.QueryAudit(t.Context(), &hfgate.AuditFilter{User: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	var ended bool
	for _, ev := range page.Events {
		if ev.Kind == hfgate.AuditKindEnd && ev.File == "README.md" && ev.Outcome == hfgate.AuditComplete && ev.SHA256 != "" && ev.Bytes > 0 {
			ended = true
		}
		if ev.Subject == "" || ev.TokenID == "" || ev.RequestID == "" {
			t.Errorf("audit event without who or which request: %+v", ev)
		}
	}
	if !ended {
		t.Errorf("no complete download of alice's in the audit log: %d events", len(page.Events))
	}

	// A token the gateway refuses never reaches the proxy, nor the log.
	before := len(allEvents(t, g))
	resp := bearerGet(t, g.URL+qwen, "hf_"+strings.Repeat("0", 40))
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || len(allEvents(t, g)) != before {
		t.Errorf("a bad token: %d, %d new audit events", resp.StatusCode, len(allEvents(t, g))-before)
	}
	// The gateway's own routes stay its own.
	if resp := bearerGet(t, g.URL+"/api/whoami-v2", tok["bob"]); resp.StatusCode != http.StatusOK {
		t.Errorf("whoami-v2 = %d", resp.StatusCode)
	}
}

func allEvents(t *testing.T, g *gw) []*hfgate.AuditEvent {
	t.Helper()
	page, err := g.store.QueryAudit(t.Context(), &hfgate.AuditFilter{Limit: hfgate.MaxAuditLimit})
	if err != nil {
		t.Fatal(err)
	}
	return page.Events
}

// TestNoPolicy: without a policy the gateway serves no Hub API, and says
// so in the Hub's shape.
func TestNoPolicy(t *testing.T) {
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), nil)
	resp, err := http.Get(g.URL + "/api/models/" + hubsim.RepoTiny)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Error-Message") == "" {
		t.Errorf("without a policy: %d %q", resp.StatusCode, resp.Header.Get("X-Error-Message"))
	}
}

// TestRefreshUser: bob, refused a repo the policy keeps for acme, becomes
// a member on the Hub; an admin's refresh makes it count at once, and
// without one the periodic refresh does within its interval.
func TestRefreshUser(t *testing.T) {
	qwen := "/" + hubsim.RepoQwenCoder7BGGUF + "/resolve/main/README.md"
	status := func(g *gw, token string) int {
		resp := bearerGet(t, g.URL+qwen, token)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Run("admin", func(t *testing.T) {
		g, tok := proxied(t, func(c *gateway.Config) { c.UserinfoRefresh = -1 })
		if got := status(g, tok["bob"]); got != http.StatusForbidden {
			t.Fatalf("bob before = %d", got)
		}
		if err := g.sim.SetMembership("bob", "acme", "read"); err != nil {
			t.Fatal(err)
		}
		if got := status(g, tok["bob"]); got != http.StatusForbidden {
			t.Fatalf("bob before the refresh = %d", got)
		}
		req, _ := http.NewRequest(http.MethodPost, g.URL+"/admin/api/users/refresh", strings.NewReader(`{"user":"bob"}`))
		req.Header.Set("Authorization", "Bearer "+tok["alice"])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			User struct {
				Orgs []struct{ Name string } `json:"orgs"`
			} `json:"user"`
		}
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(out.User.Orgs) != 1 || out.User.Orgs[0].Name != "acme" {
			t.Fatalf("refresh = %d %+v", resp.StatusCode, out)
		}
		if got := status(g, tok["bob"]); got != http.StatusOK {
			t.Errorf("bob after the refresh = %d, want 200", got)
		}
		var audited bool
		for _, ev := range allEvents(t, g) {
			audited = audited || (ev.Kind == hfgate.AuditKindAdmin && ev.Action == "refresh-user" && ev.Username == "alice")
		}
		if !audited {
			t.Error("the refresh is not in the audit log")
		}
		// bob is no admin.
		req, _ = http.NewRequest(http.MethodPost, g.URL+"/admin/api/users/refresh", strings.NewReader(`{"user":"bob"}`))
		req.Header.Set("Authorization", "Bearer "+tok["bob"])
		if resp, _ := http.DefaultClient.Do(req); resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("bob's refresh: %v", resp)
		}
	})
	t.Run("periodic", func(t *testing.T) {
		g, tok := proxied(t, func(c *gateway.Config) { c.UserinfoRefresh = 200 * time.Millisecond })
		if err := g.sim.SetMembership("bob", "acme", "read"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for status(g, tok["bob"]) != http.StatusOK {
			if time.Now().After(deadline) {
				t.Fatal("bob's new membership never reached the policy")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := g.sim.SetMembership("bob", "acme", ""); err != nil {
			t.Fatal(err)
		}
		for status(g, tok["bob"]) != http.StatusForbidden {
			if time.Now().After(deadline) {
				t.Fatal("bob's lost membership never reached the policy")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestAbortedTransferLogged: a file transfer the proxy cannot finish cuts
// the client's connection, and the gateway still logs and counts the
// request, as aborted.
func TestAbortedTransferLogged(t *testing.T) {
	var logs lockedBuffer
	g, tok := proxied(t, func(c *gateway.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
		c.Proxy.Resumes = -1
	})
	// The first CDN answer is cut; there is no second try.
	if err := g.sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, CutAfterBytes: 10_000}); err != nil {
		t.Fatal(err)
	}
	resp := bearerGet(t, g.URL+"/"+hubsim.RepoTiny+"/resolve/main/tiny-llama-Q2_K.gguf", tok["bob"])
	_, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatal("the client read a whole answer from a cut transfer")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), `"aborted":true`) {
		if time.Now().After(deadline) {
			t.Fatalf("no aborted request in the log:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedBuffer is a bytes.Buffer for a logger and a test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
