package gateway_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/sqlstore"
)

// consolePages are every page of the admin console; consoleAPIs every
// admin API call that reads.
var (
	consolePages = []string{"/admin", "/admin/", "/admin/users", "/admin/tokens", "/admin/tokens?kind=ci&all=1", "/admin/ci",
		"/admin/audit", "/admin/audit?user=bob&decision=deny&since=24h", "/admin/policy", "/admin/cache",
		"/admin/policy?as=user&user=bob&repo=Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF&action=download"}
	consoleAPIs = []string{"/admin/api/users", "/admin/api/sessions", "/admin/api/tokens", "/admin/api/audit",
		"/admin/api/audit?kind=exchange&limit=5", "/admin/api/audit/export?format=csv", "/admin/api/audit/export?format=jsonl",
		"/admin/api/audit/verify", "/admin/api/ci", "/admin/api/policy",
		"/admin/api/policy/explain?as=anonymous&repo=hubsim/tiny-llama-GGUF&action=download"}
)

// consoleGateway starts a gateway as the demo runs one: CI trust, the
// demo policy, an audit log; alice is its admin.
func consoleGateway(t *testing.T, db database) (*gw, *sqlstore.Store) {
	t.Helper()
	sim := startHubsim(t)
	store := db.open(t)
	return startGateway(t, sim, store, trustAcmeApp(sim, openAudit(t, store))), store
}

// TestConsoleAccess: an admin gets every console page and admin API; a
// signed-in non-admin gets 403 on each, an anonymous caller 401; pages
// answer pages, APIs JSON.
func TestConsoleAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, db database) {
		g, _ := consoleGateway(t, db)
		alice, bob, anon := newBrowser(t, g, "alice"), newBrowser(t, g, "bob"), newBrowser(t, g, "")
		alice.signIn()
		bob.signIn()
		bobUser := bob.account().User.Subject
		pages := append(consolePages, "/admin/users/"+url.PathEscape(bobUser), "/admin/users/"+url.PathEscape(bobUser)+"?all=1")
		for _, path := range append(pages, consoleAPIs...) {
			for _, tt := range []struct {
				who  string
				b    *browser
				want int
			}{{"alice", alice, 200}, {"bob", bob, 403}, {"anonymous", anon, 401}} {
				resp := tt.b.get(path)
				body := readAll(resp)
				if resp.StatusCode != tt.want {
					t.Errorf("%s GET %s: %d, want %d: %.300s", tt.who, path, resp.StatusCode, tt.want, body)
					continue
				}
				isAPI := strings.HasPrefix(path, "/admin/api/")
				ct := resp.Header.Get("Content-Type")
				switch {
				case !isAPI && !strings.HasPrefix(ct, "text/html"):
					t.Errorf("%s GET %s: Content-Type %q, want a page", tt.who, path, ct)
				case isAPI && tt.want != 200 && !strings.HasPrefix(ct, "application/json"):
					t.Errorf("%s GET %s: Content-Type %q, want JSON", tt.who, path, ct)
				}
				if tt.want == 200 && !isAPI && !strings.Contains(body, `aria-label="Admin console"`) {
					t.Errorf("%s GET %s: no console navigation", tt.who, path)
				}
			}
		}
		// State changes too: bob cannot revoke, even with his own CSRF token.
		form := url.Values{"user": {"alice"}}
		if resp := bob.postForm("/admin/revoke", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("bob's revoke form: %d, want 403", resp.StatusCode)
		}
		if resp := anon.do("POST", "/admin/api/revoke", strings.NewReader(`{"user":"alice"}`), map[string]string{"Content-Type": "application/json"}); resp.StatusCode != http.StatusUnauthorized &&
			resp.StatusCode != http.StatusForbidden {
			t.Errorf("an anonymous revoke: %d", resp.StatusCode)
		}
		if alice.account().Sessions == nil {
			t.Error("alice was signed out")
		}
	})
}

// TestConsoleRevoke: an admin revokes a user's token on the user's page;
// the token is refused at once, and the revocation is in the audit log.
// A form without the session's CSRF token changes nothing.
func TestConsoleRevoke(t *testing.T) {
	g, store := consoleGateway(t, sqliteDB(t))
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()
	var created struct{ ID, Token string }
	decode(t, bob.do("POST", "/api/account/tokens", strings.NewReader(`{"name":"laptop","days":30}`), map[string]string{
		"Content-Type": "application/json", "X-CSRF-Token": bob.csrf(), "Origin": g.URL}), http.StatusCreated, &created)
	decode(t, bearerGet(t, g.URL+"/api/whoami-v2", created.Token), http.StatusOK, nil)

	page := "/admin/users/" + url.PathEscape(bob.account().User.Subject)
	body := readAll(alice.get(page))
	if !strings.Contains(body, `data-token="`+created.ID+`"`) || !strings.Contains(body, "laptop") {
		t.Fatalf("bob's page lacks his token:\n%s", body)
	}
	noCSRF := alice.do("POST", "/admin/revoke", strings.NewReader("token_id="+created.ID), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": g.URL})
	if noCSRF.StatusCode != http.StatusForbidden {
		t.Errorf("a revoke form without the CSRF token: %d, want 403", noCSRF.StatusCode)
	}
	decode(t, bearerGet(t, g.URL+"/api/whoami-v2", created.Token), http.StatusOK, nil)

	resp := alice.postForm("/admin/revoke", url.Values{"token_id": {created.ID}, "reason": {"lost laptop"}, "return_to": {page}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != page {
		t.Fatalf("revoke form: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	if resp := bearerGet(t, g.URL+"/api/whoami-v2", created.Token); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the revoked token: %d, want 401", resp.StatusCode)
	}
	if body := readAll(alice.get(page + "?all=1")); !strings.Contains(body, "lost laptop") {
		t.Error("the ended token does not show why it ended")
	}
	evs, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindAdmin}, Action: "revoke-token"})
	if err != nil || len(evs.Events) != 1 {
		t.Fatalf("admin events: %v %+v", err, evs)
	}
	if ev := evs.Events[0]; ev.Username != "alice" || ev.Detail["token_id"] != created.ID || ev.Detail["reason"] != "lost laptop" || ev.Detail["tokens"] != "1" {
		t.Errorf("revoke event %+v", ev)
	}
	// A return_to off the console goes to the users page instead.
	resp = alice.postForm("/admin/revoke", url.Values{"session": {bob.account().Sessions[0].ID}, "return_to": {"https://evil.example/"}})
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/admin/users" {
		t.Errorf("revoke with a foreign return_to ended at %s", resp.Request.URL)
	}
	if resp := bob.get("/api/account"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bob's ended session: %d", resp.StatusCode)
	}
}

// TestConsoleAudit: the audit page and API filter by user, repo, action,
// decision and time; exports hold what the filters select; strings a
// peer sent show without their control characters; verification passes.
func TestConsoleAudit(t *testing.T) {
	g, store := consoleGateway(t, sqliteDB(t))
	alice := newBrowser(t, g, "alice")
	alice.signIn()
	sim := g.sim
	// Two exchanges: one granted, narrowed to a repo; one refused, with a
	// hostile user agent.
	granted := exchangeForm(hubsimtest.CIToken(t, sim, acmeApp(), g.URL))
	granted.Set("resource", hubsim.RepoTiny)
	if status, a := postExchange(t, g, granted, false); status != http.StatusOK {
		t.Fatalf("exchange: %d %+v", status, a)
	}
	req, _ := http.NewRequest("POST", g.URL+"/oauth/token", strings.NewReader(exchangeForm(hubsimtest.CIToken(t, sim, acmeApp("ref", "refs/heads/dev"), g.URL)).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "evil\t<script>alert(1)</script>\u202egnp.exe")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	var api struct {
		Events []map[string]any
		Last   string
	}
	decode(t, alice.get("/admin/api/audit?kind=exchange&decision=deny"), http.StatusOK, &api)
	if len(api.Events) != 1 || api.Events[0]["decision"] != "deny" || strings.ContainsAny(api.Events[0]["user_agent"].(string), "\t\u202e") {
		t.Fatalf("denied exchanges: %+v", api.Events)
	}
	body := readAll(alice.get("/admin/audit?action=token-exchange&since=1h"))
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "\u202e") || !strings.Contains(body, "evil?&lt;script&gt;") {
		t.Error("the audit page shows a peer's markup or control characters")
	}
	if n := strings.Count(body, "<tr data-id="); n != 2 {
		t.Errorf("the audit page shows %d exchanges, want 2", n)
	}
	if body := readAll(alice.get("/admin/audit?since=not-a-time")); !strings.Contains(body, "is not a time") {
		t.Error("a bad since is not explained")
	}
	for _, tt := range []struct {
		query string
		want  int
	}{{"user=nobody", 0}, {"repo=" + hubsim.RepoTiny, 1}, {"repo=" + hubsim.RepoXet, 0}, {"decision=allow&kind=exchange", 1}} {
		if n := strings.Count(readAll(alice.get("/admin/audit?"+tt.query)), "<tr data-id="); n != tt.want {
			t.Errorf("%s shows %d events, want %d", tt.query, n, tt.want)
		}
	}
	if n := strings.Count(readAll(alice.get("/admin/audit?until="+time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04"))), "<tr data-id="); n != 0 {
		t.Errorf("until an hour ago shows %d events", n)
	}

	resp = alice.get("/admin/api/audit/export?format=csv&kind=exchange")
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, ".csv") {
		t.Errorf("CSV export Content-Disposition %q", cd)
	}
	records, err := csv.NewReader(strings.NewReader(readAll(resp))).ReadAll()
	if err != nil || len(records) != 3 { // a header and two events
		t.Errorf("CSV export: %v, %d records", err, len(records))
	}
	lines := strings.Split(strings.TrimSpace(readAll(alice.get("/admin/api/audit/export?format=jsonl&decision=allow&kind=exchange"))), "\n")
	var rec struct {
		ClassName   string `json:"class_name"`
		Disposition string `json:"disposition"`
	}
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &rec) != nil || rec.ClassName != "Authentication" || rec.Disposition != "Allowed" {
		t.Errorf("JSON lines export: %q", lines)
	}

	var v struct {
		OK     bool
		Chains int
		Events int
	}
	decode(t, alice.get("/admin/api/audit/verify"), http.StatusOK, &v)
	if !v.OK || v.Chains != 1 || v.Events < 2 {
		t.Errorf("verify: %+v", v)
	}
	if body := readAll(alice.get("/admin/audit")); !strings.Contains(body, "intact") {
		t.Error("the audit page does not show the last verification")
	}
	if _, err := store.QueryAudit(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
}

// TestConsolePolicy: the policy page lists the rules as configured, and
// explains a decision for a user as they last signed in.
func TestConsolePolicy(t *testing.T) {
	g, _ := consoleGateway(t, sqliteDB(t))
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()
	body := readAll(alice.get("/admin/policy"))
	for _, rule := range []string{"acme-members", "acme-app-ci", "everyone-browses", "everyone-downloads-hubsim"} {
		if !strings.Contains(body, `data-rule="`+rule+`"`) {
			t.Errorf("the policy page lacks rule %s", rule)
		}
	}
	body = readAll(alice.get("/admin/policy?as=user&user=bob&repo=Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF&action=download"))
	if !strings.Contains(body, `id="explain-rule">default-deny<`) || !strings.Contains(body, "membership of org acme") {
		t.Errorf("explain for bob:\n%s", body)
	}
	var e struct {
		Allow bool
		Rule  string
	}
	decode(t, alice.get("/admin/api/policy/explain?as=ci&claims=repository_id%3D42%0Arepository_owner_id%3D7&repo=hubsim/tiny-llama-GGUF&action=download"), http.StatusOK, &e)
	if !e.Allow || e.Rule != "acme-app-ci" {
		t.Errorf("explain for acme's CI: %+v", e)
	}
	if body := readAll(alice.get("/admin/policy?as=user&user=nobody&repo=a/b&action=read")); !strings.Contains(body, `no user &#34;nobody&#34; has signed in`) {
		t.Error("an unknown user is not explained")
	}
}

// TestConsoleOrgAdmins: admins named by a role in an org: a member
// with that role or a higher one gets the console, one with a lower role
// or none gets 403; a role granted on the Hub counts from the member's
// next sign-in.
func TestConsoleOrgAdmins(t *testing.T) {
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), func(c *gateway.Config) {
		c.Admins = gateway.Admins{Orgs: []gateway.OrgRole{{Org: "acme", Role: "admin"}}}
	})
	if err := sim.SetMembership("bob", "acme", "read"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		user, role string // role: bob's in acme on the Hub before he signs in; alice is a writer
		want       int
	}{
		{"alice", "", http.StatusForbidden},
		{"bob", "read", http.StatusForbidden},
		{"bob", "admin", http.StatusOK},
	} {
		if tt.role != "" {
			if err := sim.SetMembership("bob", "acme", tt.role); err != nil {
				t.Fatal(err)
			}
		}
		b := newBrowser(t, g, tt.user)
		b.signIn()
		for _, path := range []string{"/admin", "/admin/api/users"} {
			if resp := b.get(path); resp.StatusCode != tt.want {
				t.Errorf("%s GET %s: %d, want %d", tt.user, path, resp.StatusCode, tt.want)
			}
		}
	}
}

// TestHomePage: the page a newcomer lands on names this gateway's URL in
// every command, and offers the console to admins only.
func TestHomePage(t *testing.T) {
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), func(c *gateway.Config) { c.ExampleRepo = "hubsim/tiny-llama-GGUF" })
	body := readAll(newBrowser(t, g, "").get("/"))
	for _, want := range []string{"export HF_ENDPOINT=" + g.URL, "hf download hubsim/tiny-llama-GGUF", "MODEL_ENDPOINT=" + g.URL + "/",
		"hfgate login --endpoint " + g.URL + " --device", `hubUrl: "` + g.URL + `"`, "hfgate token --exchange", "Sign in with"} {
		if !strings.Contains(body, want) {
			t.Errorf("the start page lacks %q", want)
		}
	}
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()
	if body := readAll(alice.get("/")); !strings.Contains(body, `href="/admin"`) {
		t.Error("alice, an admin, is not offered the console")
	}
	if body := readAll(bob.get("/")); strings.Contains(body, `href="/admin"`) {
		t.Error("bob is offered the console")
	}
}

// TestConsoleRefreshUser: an admin reads a user's profile again from the
// Hub on their page: a new org membership shows at once, and the refresh
// is in the audit log.
func TestConsoleRefreshUser(t *testing.T) {
	g, store := consoleGateway(t, sqliteDB(t))
	alice, bob := newBrowser(t, g, "alice"), newBrowser(t, g, "bob")
	alice.signIn()
	bob.signIn()
	page := "/admin/users/" + url.PathEscape(bob.account().User.Subject)
	if body := readAll(alice.get(page)); strings.Contains(body, "Organizations: acme") {
		t.Fatal("bob is in acme already")
	}
	if err := g.sim.SetMembership("bob", "acme", "read"); err != nil {
		t.Fatal(err)
	}
	resp := alice.postForm(page+"/refresh", url.Values{})
	body := readAll(resp)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != page || !strings.Contains(body, "Organizations: acme") {
		t.Fatalf("refresh: %d at %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	evs, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Action: "refresh-user"})
	if err != nil || len(evs.Events) != 1 || evs.Events[0].Username != "alice" {
		t.Errorf("refresh events: %v %+v", err, evs)
	}
	if resp := bob.postForm(page+"/refresh", url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob refreshing himself: %d, want 403", resp.StatusCode)
	}
}
