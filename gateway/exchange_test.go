package gateway_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/policy"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/sqlstore"
)

// acmeApp are the claims of a push to acme/app's main branch, as GitHub
// Actions writes them; with changes some of them.
func acmeApp(kv ...string) map[string]string {
	c := map[string]string{"repository": "acme/app", "repository_id": "42", "repository_owner": "acme",
		"repository_owner_id": "7", "ref": "refs/heads/main", "ref_type": "branch", "workflow": "ci",
		"job_workflow_ref": "acme/app/.github/workflows/ci.yml@refs/heads/main", "event_name": "push", "actor": "alice"}
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// openAudit opens an audit writer on store for the test.
func openAudit(t *testing.T, store *sqlstore.Store) *audit.Writer {
	t.Helper()
	w, err := audit.Open(t.Context(), store, audit.Config{Replica: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// trustAcmeApp configures the gateway as the demo does: hubsim's CI
// issuer trusted for acme/app on main, the demo policy (with rules of the
// test's first), an audit log.
func trustAcmeApp(sim *hubsim.Server, w *audit.Writer, rules ...policy.Rule) func(*gateway.Config) {
	return func(c *gateway.Config) {
		c.CI = gateway.CI{
			Issuers: []ciauth.Issuer{{Name: "hubsim-ci", URL: sim.CIIssuer()}},
			Rules: []ciauth.Rule{{Name: "acme-app-main", Issuer: "hubsim-ci",
				Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}}},
		}
		p, err := policy.New(policy.Config{Rules: append(rules, policy.Demo().Rules...)})
		if err != nil {
			panic(err)
		}
		c.Proxy = proxy.Config{Policy: p, Audit: w}
		c.Now = sim.Now
	}
}

// exchangeForm is the request huggingface_hub and hfgate token --exchange
// make for idToken.
func exchangeForm(idToken string) url.Values {
	return url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token": {idToken}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}}
}

type exchangeAnswer struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int    `json:"expires_in"`
	RefreshToken    string `json:"refresh_token"`
	Error           string `json:"error"`
	Description     string `json:"error_description"`
}

// postExchange posts form to the token endpoint, as JSON when asJSON.
func postExchange(t *testing.T, g *gw, form url.Values, asJSON bool) (int, exchangeAnswer) {
	t.Helper()
	var body []byte
	ct := "application/x-www-form-urlencoded"
	if asJSON {
		obj := map[string]string{}
		for k := range form {
			obj[k] = form.Get(k)
		}
		body, _ = json.Marshal(obj)
		ct = "application/json"
	} else {
		body = []byte(form.Encode())
	}
	resp, err := http.Post(g.URL+"/oauth/token", ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a exchangeAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatalf("token endpoint: %d, %v", resp.StatusCode, err)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	return resp.StatusCode, a
}

// exchanges returns the exchange events of the audit log, oldest first.
func exchanges(t *testing.T, store *sqlstore.Store) []*hfgate.AuditEvent {
	t.Helper()
	page, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindExchange}, Ascending: true})
	if err != nil {
		t.Fatal(err)
	}
	return page.Events
}

// TestExchange: a job of acme/app on main trades hubsim's ID token for a
// 15-minute gateway token (form and JSON bodies alike) with no refresh
// token, which is a CI principal with the job's claims, listed and
// revocable like any other; each exchange is audited with the claims that
// matched; the same ID token is good once.
func TestExchange(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		store := db.open(t)
		g := startGateway(t, sim, store, trustAcmeApp(sim, openAudit(t, store)))
		var tokens []string
		for _, asJSON := range []bool{false, true} {
			idt := hubsimtest.CIToken(t, sim, acmeApp(), g.URL)
			status, a := postExchange(t, g, exchangeForm(idt), asJSON)
			if status != http.StatusOK || !hfgate.IsTokenSecret(a.AccessToken) || a.TokenType != "bearer" || a.ExpiresIn != 900 ||
				a.RefreshToken != "" || a.IssuedTokenType != "urn:ietf:params:oauth:token-type:access_token" {
				t.Fatalf("exchange (JSON %v): %d %+v", asJSON, status, a)
			}
			tokens = append(tokens, a.AccessToken)
			if status, a := postExchange(t, g, exchangeForm(idt), asJSON); status != http.StatusBadRequest || a.Error != "invalid_request" ||
				!strings.Contains(a.Description, "exchanged already") {
				t.Errorf("the same ID token again: %d %+v", status, a)
			}
		}

		// The proxy serves the job as itself: the policy's rule for acme's
		// app CI decides, and the audit log names the job and its token.
		decode(t, bearerGet(t, g.URL+"/api/models/hubsim/tiny-llama-GGUF", tokens[0]), http.StatusOK, nil)
		seen := lastDecision(t, store)
		if seen.PrincipalKind != hfgate.PrincipalCI || seen.Subject != "hubsim-ci:repo:acme/app:ref:refs/heads/main" ||
			seen.Rule != "acme-app-ci" || seen.TokenID == "" {
			t.Fatalf("the proxy's decision: %+v", seen)
		}
		var who struct {
			Type, Name string
			Auth       struct{ Type string }
		}
		decode(t, bearerGet(t, g.URL+"/api/whoami-v2", tokens[0]), http.StatusOK, &who)
		if who.Type != "app" || who.Auth.Type != "app_token_as_user" {
			t.Errorf("whoami-v2: %+v", who)
		}
		// A job has no account: its token mints no personal token.
		if resp := adminPost(t, g, tokens[0], "/api/account/tokens", map[string]any{"name": "forever", "days": 365}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a CI token creating a personal token: %d, want 403", resp.StatusCode)
		}

		list, err := store.ListTokens(t.Context(), hfgate.TokenQuery{Kinds: []hfgate.TokenKind{hfgate.TokenCI}})
		if err != nil || len(list) != 2 || list[0].Expires.Sub(list[0].Created) != 15*time.Minute || list[0].Name != "acme-app-main" {
			t.Fatalf("CI tokens: %v %+v", err, list)
		}
		if _, err := gateway.Revoke(t.Context(), store, gateway.RevokeRequest{TokenID: seen.TokenID}, "admin", time.Now()); err != nil {
			t.Fatal(err)
		}
		if resp := bearerGet(t, g.URL+"/api/models/hubsim/tiny-llama-GGUF", tokens[0]); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("a revoked CI token: %d", resp.StatusCode)
		}
		decode(t, bearerGet(t, g.URL+"/api/whoami-v2", tokens[1]), http.StatusOK, nil)

		evs := exchanges(t, store)
		if len(evs) != 4 {
			t.Fatalf("%d exchange events, want 4 (two granted, two replays)", len(evs))
		}
		ok, replay := evs[0], evs[1]
		if ok.Decision != hfgate.AuditAllow || ok.Rule != "acme-app-main" || ok.PrincipalKind != hfgate.PrincipalCI || ok.TokenID == "" ||
			ok.Detail["claim.repository_id"] != "42" || ok.Detail["claim.ref"] != "refs/heads/main" || ok.Detail["issuer"] != "hubsim-ci" ||
			ok.Status != 200 || ok.Action != hfgate.AuditActionTokenExchange || ok.ClientIP != "127.0.0.1" {
			t.Errorf("granted exchange event: %+v", ok)
		}
		if replay.Decision != hfgate.AuditDeny || replay.Detail["reason"] != ciauth.ReasonReplayed || replay.Detail["error"] != "invalid_request" ||
			replay.Subject != "hubsim-ci:repo:acme/app:ref:refs/heads/main" || replay.TokenID != "" {
			t.Errorf("replay event: %+v", replay)
		}

		var meta struct {
			Grants []string `json:"grant_types_supported"`
		}
		decode(t, bearerGet(t, g.URL+"/.well-known/openid-configuration", ""), http.StatusOK, &meta)
		if !strings.Contains(strings.Join(meta.Grants, " "), "token-exchange") {
			t.Errorf("discovery grants %v", meta.Grants)
		}
	})
}

// TestExchangeRefused: each wrong token or request is refused with the
// RFC's error, and audited with why.
func TestExchangeRefused(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	g := startGateway(t, sim, store, trustAcmeApp(sim, openAudit(t, store), policy.Rule{Name: "acme-secrets", Effect: policy.Deny,
		Actions: []hfgate.RepoAction{policy.AnyAction}, Repos: []string{"acme/secret-*"}, Subjects: []policy.Subject{{Authenticated: true}}}))
	good := func() string { return hubsimtest.CIToken(t, sim, acmeApp(), g.URL) }
	replayed := good()
	if status, _ := postExchange(t, g, exchangeForm(replayed), false); status != http.StatusOK {
		t.Fatal("the first exchange failed")
	}
	stale := good()
	forged := func() string {
		parts := strings.Split(good(), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		payload = bytes.Replace(payload, []byte(`"repository_id":"42"`), []byte(`"repository_id":"4"`), 1)
		parts[1] = base64.RawURLEncoding.EncodeToString(payload)
		return strings.Join(parts, ".")
	}()
	none := func() string {
		parts := strings.Split(good(), ".")
		return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	}()
	form := func(idt string, kv ...string) url.Values {
		f := exchangeForm(idt)
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	for _, tt := range []struct {
		name   string
		form   url.Values
		code   string
		reason string
	}{
		{"wrong audience", form(hubsimtest.CIToken(t, sim, acmeApp(), "https://elsewhere.example")), "invalid_request", ciauth.ReasonAudience},
		{"replayed jti", form(replayed), "invalid_request", ciauth.ReasonReplayed},
		{"unmatched claims", form(hubsimtest.CIToken(t, sim, acmeApp("repository_id", "43"), g.URL)), "invalid_grant", ciauth.ReasonClaims},
		{"a pull request", form(hubsimtest.CIToken(t, sim, acmeApp("ref", "refs/pull/3/merge", "event_name", "pull_request"), g.URL)), "invalid_grant", ciauth.ReasonClaims},
		{"forged signature", form(forged), "invalid_request", ciauth.ReasonSignature},
		{"alg none", form(none), "invalid_request", ciauth.ReasonAlgorithm},
		{"wrong issuer", form(hubsimtest.CIToken(t, startHubsim(t), acmeApp(), g.URL)), "invalid_request", ciauth.ReasonIssuer},
		{"not a JWT", form(hubsimtest.Token(t, sim, "alice", "read")), "invalid_request", ciauth.ReasonMalformed},
		{"no subject token", form(""), "invalid_request", "invalid_request"},
		{"a refresh token type", form(good(), "subject_token_type", "urn:ietf:params:oauth:token-type:refresh_token"), "invalid_request", "invalid_request"},
		{"delegation", form(good(), "actor_token", "x", "actor_token_type", "urn:ietf:params:oauth:token-type:jwt"), "invalid_request", "invalid_request"},
		{"another audience asked", form(good(), "audience", "https://elsewhere.example"), "invalid_target", "invalid_target"},
		{"a resource that is no repo", form(good(), "resource", "acme"), "invalid_target", "invalid_target"},
		{"a resource the policy keeps from the job", form(good(), "resource", "acme/secret-model"), "invalid_target", "invalid_target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(exchanges(t, store))
			status, a := postExchange(t, g, tt.form, false)
			if status != http.StatusBadRequest || a.Error != tt.code || a.AccessToken != "" || a.Description == "" {
				t.Fatalf("%d %+v, want 400 %s", status, a, tt.code)
			}
			evs := exchanges(t, store)
			if len(evs) != before+1 {
				t.Fatalf("%d new events, want 1", len(evs)-before)
			}
			if ev := evs[len(evs)-1]; ev.Decision != hfgate.AuditDeny || ev.Detail["reason"] != tt.reason || ev.Detail["error"] != tt.code || ev.Status != 400 {
				t.Errorf("event %+v", ev)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		sim.Advance(hubsim.CIIDTokenTTL + 2*ciauth.DefaultLeeway)
		status, a := postExchange(t, g, form(stale), false)
		if status != http.StatusBadRequest || a.Error != "invalid_request" || !strings.Contains(a.Description, "expired") {
			t.Fatalf("%d %+v", status, a)
		}
	})
}

// TestExchangeNarrowed: a token exchanged with a resource is narrowed to
// that repository: the principal every request sees says so, and the
// policy refuses the job any other.
func TestExchangeNarrowed(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	g := startGateway(t, sim, store, trustAcmeApp(sim, openAudit(t, store)))
	f := exchangeForm(hubsimtest.CIToken(t, sim, acmeApp(), g.URL))
	f.Set("resource", hubsim.RepoTiny)
	f.Set("audience", g.URL)
	status, a := postExchange(t, g, f, true)
	if status != http.StatusOK {
		t.Fatalf("exchange: %d %+v", status, a)
	}
	decode(t, bearerGet(t, g.URL+"/api/models/"+hubsim.RepoTiny, a.AccessToken), http.StatusOK, nil)
	resp := bearerGet(t, g.URL+"/api/models/"+hubsim.RepoXet, a.AccessToken)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Hfgate-Rule") != policy.TokenResource {
		t.Errorf("another hubsim repo with a token narrowed to %s: %d, rule %q", hubsim.RepoTiny, resp.StatusCode, resp.Header.Get("X-Hfgate-Rule"))
	}
	if ev := exchanges(t, store)[0]; ev.Repo != hubsim.RepoTiny || ev.Detail["resource"] != hubsim.RepoTiny {
		t.Errorf("event %+v", ev)
	}
}

// TestExchangeUnaudited: an exchange the audit log cannot record hands out
// no token (503), and the token it stored is revoked.
func TestExchangeUnaudited(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	w := openAudit(t, store)
	g := startGateway(t, sim, store, trustAcmeApp(sim, w))
	w.Close()
	status, a := postExchange(t, g, exchangeForm(hubsimtest.CIToken(t, sim, acmeApp(), g.URL)), false)
	if status != http.StatusServiceUnavailable || a.Error != "temporarily_unavailable" || a.AccessToken != "" {
		t.Fatalf("%d %+v, want 503 temporarily_unavailable", status, a)
	}
	if live, err := store.ListTokens(t.Context(), hfgate.TokenQuery{}); err != nil || len(live) != 0 {
		t.Errorf("live tokens after an unaudited exchange: %v %+v", err, live)
	}
}

// TestExchangeNotOffered: without trust rules the grant is unsupported,
// and a config with rules but no audit log is refused.
func TestExchangeNotOffered(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	g := startGateway(t, sim, store, nil)
	if status, a := postExchange(t, g, exchangeForm("x.y.z"), false); status != http.StatusBadRequest || a.Error != "unsupported_grant_type" {
		t.Errorf("%d %+v", status, a)
	}
	cfg := gateway.Config{PublicURL: "http://127.0.0.1:1", Store: store, Hub: sim.URL()}
	trustAcmeApp(sim, nil)(&cfg)
	cfg.Proxy.Audit = nil
	if _, err := gateway.New(cfg); err == nil || !strings.Contains(err.Error(), "audit log") {
		t.Errorf("New without an audit log: %v", err)
	}
	trustAcmeApp(sim, openAudit(t, store))(&cfg)
	cfg.Providers = []gateway.Provider{{Name: "hubsim-ci", OAuth: oidcauth.HuggingFace(sim.URL())}}
	cfg.Providers[0].OAuth.ClientID = "x"
	if _, err := gateway.New(cfg); err == nil || !strings.Contains(err.Error(), "sign-in provider") {
		t.Errorf("New with a CI issuer named as a provider: %v", err)
	}
}

// lastDecision returns the newest decision event of the audit log.
func lastDecision(t *testing.T, store *sqlstore.Store) *hfgate.AuditEvent {
	t.Helper()
	page, err := store.QueryAudit(t.Context(), &hfgate.AuditFilter{Kinds: []hfgate.AuditKind{hfgate.AuditKindDecision}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("the last decision: %v %+v", err, page)
	}
	return page.Events[0]
}
