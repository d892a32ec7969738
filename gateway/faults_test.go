package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/oidcauth"
)

// TestProviderFails: when the identity provider answers errors or
// garbage, the sign-in fails with a page that says so, and no session,
// account or credential is half-made.
func TestProviderFails(t *testing.T) {
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer": 42, <html>`))
	}))
	defer garbage.Close()
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), func(c *gateway.Config) {
		junk := oidcauth.Config{Issuer: garbage.URL, ClientID: "x", Scopes: []string{"openid"}}
		c.Providers = append(c.Providers, gateway.Provider{Name: "junk", OAuth: junk})
	})
	for _, tt := range []struct {
		name     string
		provider string
		fault    *hubsim.FaultRule
	}{
		{"token endpoint 500", "huggingface", &hubsim.FaultRule{Host: "hub", PathPrefix: "/oauth/token", Status: 500}},
		{"userinfo 503", "huggingface", &hubsim.FaultRule{Host: "hub", PathPrefix: "/oauth/userinfo", Status: 503}},
		{"token endpoint slow and cut", "huggingface", &hubsim.FaultRule{Host: "hub", PathPrefix: "/oauth/token", CutAfterBytes: 5}},
		{"discovery garbage", "junk", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fault != nil {
				if err := sim.SetFaults(*tt.fault); err != nil {
					t.Fatal(err)
				}
				defer sim.ClearFaults()
			}
			b := newBrowser(t, g, "alice")
			resp := b.get("/auth/oauth/authorize/" + tt.provider)
			body := readAll(resp)
			if resp.StatusCode < 400 || !strings.Contains(body, `id="error-message"`) {
				t.Fatalf("%d at %s:\n%s", resp.StatusCode, resp.Request.URL, body)
			}
			if strings.Contains(body, "hf_oauth_") || strings.Contains(body, "hubsim-secret") {
				t.Error("the error page shows a secret")
			}
			if resp := b.get("/api/account"); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("after a failed sign-in the browser is signed in: %d", resp.StatusCode)
			}
		})
	}
	if list, _ := g.store.ListAccounts(t.Context()); len(list) != 0 {
		// The userinfo failure comes after the code exchange: still no account.
		t.Errorf("failed sign-ins made %d accounts", len(list))
	}
	b := newBrowser(t, g, "alice")
	b.signIn() // and the provider, healthy again, works
}

// TestDeviceBadInput: every wrong turn of the device grant gets its RFC
// 8628 error, and none issues a token.
func TestDeviceBadInput(t *testing.T) {
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), func(c *gateway.Config) { c.DeviceTTL = 3 * time.Second })
	start := func(client string) map[string]any {
		var out map[string]any
		resp, err := http.PostForm(g.URL+"/oauth/device", url.Values{"client_id": {client}, "scope": {"openid profile"}})
		if err != nil {
			t.Fatal(err)
		}
		decode(t, resp, http.StatusOK, &out)
		return out
	}
	poll := func(client, code string) (int, string) {
		status, body := tokenForm(t, g, url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "client_id": {client}, "device_code": {code}})
		e, _ := body["error"].(string)
		return status, e
	}
	if resp, _ := http.PostForm(g.URL+"/oauth/device", url.Values{"client_id": {"evil"}}); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown client: %d, want 401", resp.StatusCode)
	}
	if resp, _ := http.PostForm(g.URL+"/oauth/device", url.Values{"client_id": {"hfgate"}, "scope": {"admin"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown scope: %d, want 400", resp.StatusCode)
	}

	d := start(gateway.ClientHfgate)
	code := d["device_code"].(string)
	if s, e := poll(gateway.ClientHF, code); s != 400 || e != "invalid_grant" {
		t.Errorf("another client's poll: %d %s, want invalid_grant", s, e)
	}
	fast := start(gateway.ClientHfgate)["device_code"].(string)
	if s, e := poll(gateway.ClientHfgate, fast); s != 400 || e != "authorization_pending" {
		t.Errorf("pending: %d %s", s, e)
	}
	if s, e := poll(gateway.ClientHfgate, fast); s != 400 || e != "slow_down" {
		t.Errorf("at once again: %d %s, want slow_down", s, e)
	}
	if s, e := poll(gateway.ClientHfgate, "hfgd_wrong"); s != 400 || e != "invalid_grant" {
		t.Errorf("wrong device code: %d %s", s, e)
	}

	// The user types wrong and malformed codes, then denies.
	b := newBrowser(t, g, "bob")
	b.signIn()
	for _, typed := range []string{"BCDF-GHJK", "12345678", strings.Repeat("B", 500)} {
		resp := b.get("/oauth/device?user_code=" + url.QueryEscape(typed))
		if body := readAll(resp); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `id="device-problem"`) {
			t.Errorf("typed %q: %d", typed, resp.StatusCode)
		}
	}
	resp := b.postForm("/oauth/device/decision", url.Values{"user_code": {d["user_code"].(string)}, "decision": {"deny"}})
	if body := readAll(resp); !strings.Contains(body, "denied") {
		t.Errorf("deny: %d %s", resp.StatusCode, body)
	}
	time.Sleep(1100 * time.Millisecond) // the interval since the other client's poll
	if s, e := poll(gateway.ClientHfgate, code); s != 400 || e != "access_denied" {
		t.Errorf("denied: %d %s", s, e)
	}
	// Approving after a denial changes nothing.
	resp = b.postForm("/oauth/device/decision", url.Values{"user_code": {d["user_code"].(string)}, "decision": {"approve"}})
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("approve after deny: %d, want 409", resp.StatusCode)
	}
	resp.Body.Close()

	// An approved code that expires before the device polls.
	late := start(gateway.ClientHfgate)
	resp = b.postForm("/oauth/device/decision", url.Values{"user_code": {late["user_code"].(string)}, "decision": {"approve"}})
	resp.Body.Close()
	time.Sleep(3100 * time.Millisecond)
	if s, e := poll(gateway.ClientHfgate, late["device_code"].(string)); s != 400 || e != "expired_token" {
		t.Errorf("expired: %d %s", s, e)
	}
	if list, _ := g.store.ListTokens(t.Context(), hfgate.TokenQuery{Ended: true}); len(list) != 0 {
		t.Errorf("%d tokens were issued by refused polls", len(list))
	}

	// Garbage at the token endpoint.
	for name, req := range map[string]func() (*http.Response, error){
		"no grant": func() (*http.Response, error) { return http.PostForm(g.URL+"/oauth/token", url.Values{}) },
		"unsupported grant": func() (*http.Response, error) {
			return http.PostForm(g.URL+"/oauth/token", url.Values{"grant_type": {"password"}})
		},
		"bad JSON": func() (*http.Response, error) {
			return http.Post(g.URL+"/oauth/token", "application/json", strings.NewReader(`{"grant_type":`))
		},
		"huge body": func() (*http.Response, error) {
			return http.Post(g.URL+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type="+strings.Repeat("x", 1<<20)))
		},
		"refresh not ours": func() (*http.Response, error) {
			return http.PostForm(g.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"hfgate"}, "refresh_token": {"hf_abc"}})
		},
	} {
		resp, err := req()
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(resp)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error":"`) {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
}

// TestRateLimits: the token endpoint and user-code entry refuse a flood
// from one address with 429 and Retry-After.
func TestRateLimits(t *testing.T) {
	sim := startHubsim(t)
	g := startGateway(t, sim, sqliteDB(t).open(t), nil)
	limited := 0
	for range 60 {
		resp, err := http.PostForm(g.URL+"/oauth/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"hfgate"}, "refresh_token": {"x"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Error("60 token requests at once were never limited")
	}
	b := newBrowser(t, g, "alice")
	b.signIn()
	codes := 0
	for i := range 30 {
		resp := b.get("/oauth/device?user_code=BCDF-GHJ" + string(rune('B'+i%3)))
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			codes++
		}
	}
	if codes == 0 {
		t.Error("30 user codes tried at once were never limited")
	}
}
