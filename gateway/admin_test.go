package gateway_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

// adminPost posts JSON to the admin API with a bearer token.
func adminPost(t *testing.T, g *gw, token, path string, body any) *http.Response {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", g.URL+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestAdminAPI: an admin lists and revokes; a revoked token is refused at
// once; a non-admin gets 403 everywhere.
func TestAdminAPI(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		g := startGateway(t, sim, db.open(t), nil)
		alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
		alice.signIn()
		bob.signIn()
		adminTok := deviceSignIn(t, g, alice, gateway.ClientHfgate).Token.AccessToken

		var created struct{ ID, Token string }
		decode(t, adminPost(t, g, adminTok, "/admin/api/tokens", map[string]string{"user": "bob", "name": "ci", "ttl": "24h"}), http.StatusCreated, &created)
		decode(t, bearerGet(t, g.URL+"/api/whoami-v2", created.Token), http.StatusOK, nil)

		var list struct{ Tokens []map[string]any }
		decode(t, bearerGet(t, g.URL+"/admin/api/tokens?user=bob", adminTok), http.StatusOK, &list)
		if len(list.Tokens) != 1 || list.Tokens[0]["id"] != created.ID {
			t.Errorf("bob's tokens: %v", list.Tokens)
		}
		var sessions struct{ Sessions []map[string]any }
		decode(t, bearerGet(t, g.URL+"/admin/api/sessions", adminTok), http.StatusOK, &sessions)
		if len(sessions.Sessions) != 2 {
			t.Errorf("admin sees %d sessions, want 2", len(sessions.Sessions))
		}

		var res gateway.RevokeResult
		decode(t, adminPost(t, g, adminTok, "/admin/api/revoke", gateway.RevokeRequest{TokenID: created.ID}), http.StatusOK, &res)
		if res.Tokens != 1 {
			t.Errorf("revoke token: %+v", res)
		}
		if resp := bearerGet(t, g.URL+"/api/whoami-v2", created.Token); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a revoked token: %d", resp.StatusCode)
		}
		decode(t, adminPost(t, g, adminTok, "/admin/api/revoke", gateway.RevokeRequest{User: "bob"}), http.StatusOK, &res)
		if res.Sessions != 1 {
			t.Errorf("revoke bob: %+v", res)
		}
		if resp := bob.get("/api/account"); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bob's session after revoke: %d", resp.StatusCode)
		}

		// Bob is no admin, whatever he calls.
		bob.signIn()
		bobTok := deviceSignIn(t, g, bob, gateway.ClientHfgate).Token.AccessToken
		for _, path := range []string{"/admin/api/users", "/admin/api/sessions", "/admin/api/tokens"} {
			if resp := bearerGet(t, g.URL+path, bobTok); resp.StatusCode != http.StatusForbidden {
				t.Errorf("bob GET %s: %d, want 403", path, resp.StatusCode)
			}
		}
		if resp := adminPost(t, g, bobTok, "/admin/api/revoke", gateway.RevokeRequest{User: "alice"}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("bob revoking alice: %d, want 403", resp.StatusCode)
		}
		if resp := bearerGet(t, g.URL+"/admin/api/users", ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", resp.StatusCode)
		}
	})
}

// TestOperations: health, readiness, metrics, and log lines without
// secrets.
func TestOperations(t *testing.T) {
	sim := startHubsim(t)
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	logger := slog.New(slog.NewJSONHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	g := startGateway(t, sim, sqliteDB(t).open(t), func(c *gateway.Config) { c.Logger = logger })
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200} {
		if resp, _ := http.Get(g.URL + path); resp.StatusCode != want {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	b := newBrowser(t, g, "alice")
	b.signIn()
	res := deviceSignIn(t, g, b, gateway.ClientHfgate)
	decode(t, bearerGet(t, g.URL+"/api/whoami-v2", res.Token.AccessToken), http.StatusOK, nil)
	resp, _ := http.Get(g.URL + "/metrics")
	metrics := readAll(resp)
	for _, want := range []string{`hfgate_http_requests_total{code="200",route="GET /api/whoami-v2"}`, `hfgate_signins_total{provider="huggingface",result="ok"} 1`,
		`hfgate_token_grants_total{grant="device_code",result="ok"} 1`, "hfgate_token_checks_cached_total"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	if !strings.Contains(logs, `"route":"GET /api/whoami-v2"`) || !strings.Contains(logs, `"subject":"huggingface:`) {
		t.Errorf("no request line with route and subject in:\n%.2000s", logs)
	}
	for _, secret := range []string{res.Token.AccessToken, res.Token.RefreshToken, "hf_oauth_", "hubsim-secret", "code="} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret (%.12s...)", secret)
		}
	}
	g.store.Close() // the database goes away
	if resp, _ := http.Get(g.URL + "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz without a database: %d, want 503", resp.StatusCode)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestIsAdmin: admins are named by subject, by Hugging Face username only
// for users the Hub vouched for (anyone may pick "alice" on a self-service
// OIDC provider), or by a role of an org; an org entry with a role the Hub
// does not have names nobody.
func TestIsAdmin(t *testing.T) {
	hub := func(name string, orgs ...hfgate.Org) *hfgate.Principal {
		return &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: hfgate.ProviderHuggingFace, Subject: "huggingface:" + name, Username: name, Orgs: orgs}
	}
	other := &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: "gitlab", Subject: "gitlab:999", Username: "alice"}
	ci := &hfgate.Principal{Kind: hfgate.PrincipalCI, Provider: "github", Subject: "alice", Username: "alice"}
	reader := hub("rita", hfgate.Org{Name: "acme", Role: "read"})
	for _, tt := range []struct {
		name   string
		admins gateway.Admins
		p      *hfgate.Principal
		want   bool
	}{
		{"HF username", gateway.Admins{Users: []string{"alice"}}, hub("alice"), true},
		{"another provider's username", gateway.Admins{Users: []string{"alice"}}, other, false},
		{"another provider's user by subject", gateway.Admins{Users: []string{"gitlab:999"}}, other, true},
		{"a CI job is never an admin", gateway.Admins{Users: []string{"alice"}}, ci, false},
		{"anonymous", gateway.Admins{Users: []string{""}}, hfgate.Anonymous, false},
		{"org role high enough", gateway.Admins{Orgs: []gateway.OrgRole{{Org: "acme", Role: "admin"}}}, hub("ann", hfgate.Org{Name: "acme", Role: "admin"}), true},
		{"org role too low", gateway.Admins{Orgs: []gateway.OrgRole{{Org: "acme", Role: "write"}}}, reader, false},
		{"org entry with an empty role", gateway.Admins{Orgs: []gateway.OrgRole{{Org: "acme"}}}, reader, false},
		{"org entry with an unknown role", gateway.Admins{Orgs: []gateway.OrgRole{{Org: "acme", Role: "owner"}}}, reader, false},
	} {
		if got := gateway.IsAdmin(tt.admins, tt.p); got != tt.want {
			t.Errorf("%s: IsAdmin = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAdminCreateTokenAudited: a token an admin makes for another person
// lets its holder act as them, so the audit log says who made it for whom.
func TestAdminCreateTokenAudited(t *testing.T) {
	g, store := consoleGateway(t, sqliteDB(t))
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()
	adminTok := deviceSignIn(t, g, alice, gateway.ClientHfgate).Token.AccessToken
	var created struct{ ID, Token string }
	decode(t, adminPost(t, g, adminTok, "/admin/api/tokens", map[string]string{"user": "bob", "name": "laptop", "ttl": "24h"}), http.StatusCreated, &created)
	evs, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Action: "create-token"})
	if err != nil || len(evs.Events) != 1 {
		t.Fatalf("create-token events: %v %+v", err, evs)
	}
	ev := evs.Events[0]
	if ev.Username != "alice" || ev.Detail["user"] != bob.account().User.Subject || ev.Detail["token_id"] != created.ID || ev.Detail["expires"] == "" {
		t.Errorf("the create-token event: by %q, detail %v; want alice making %s for bob", ev.Username, ev.Detail, created.ID)
	}
}
