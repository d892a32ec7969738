package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestLaunchExchange: the launch URL gives the owner cookie, named for
// this launch, and a page that hands the key to the page's script and
// goes on to the same URL without the secret; the page is never cached
// and holds no secret but the key.
func TestLaunchExchange(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, false)
	c := stranger(t, true)
	resp, body := a.get(t, c, "/models/hubsim/tiny-llama-GGUF?tab=files&token="+testSecret)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("launch: %s, Cache-Control %q", resp.Status, resp.Header.Get("Cache-Control"))
	}
	next := regexp.MustCompile(`<meta name="hfgate-next" content="([^"]*)">`).FindStringSubmatch(body)
	if next == nil || strings.ReplaceAll(next[1], "&amp;", "&") != "/models/hubsim/tiny-llama-GGUF?tab=files" {
		t.Errorf("the launch page goes on to %q, want the same URL without the secret", next)
	}
	if strings.Contains(body, testSecret) {
		t.Error("the launch page holds the launch secret")
	}
	var owner *http.Cookie
	for _, ck := range resp.Cookies() {
		if strings.HasPrefix(ck.Name, "hfgate_owner_") {
			owner = ck
		}
	}
	if owner == nil || !owner.HttpOnly || owner.SameSite != http.SameSiteLaxMode || owner.Path != "/" || len(owner.Value) < 20 ||
		owner.Name == "hfgate_owner_" {
		t.Fatalf("owner cookie %+v: want one named for the launch, HttpOnly, SameSite=Lax, for the whole site", owner)
	}
	if u, _ := url.Parse(a.ts.URL); len(c.Jar.Cookies(u)) != 1 {
		t.Errorf("cookies after the launch: %v", c.Jar.Cookies(u))
	}

	// Pages need the cookie only; the API also the key.
	if resp, _ := a.get(t, c, "/downloads"); resp.StatusCode != http.StatusOK {
		t.Errorf("a page with the owner cookie: %s", resp.Status)
	}
	for _, path := range []string{"/api/downloads", "/auth/session", "/api/models/hubsim/tiny-llama-GGUF"} {
		if resp, _ := a.get(t, c, path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s with the cookie and no key: %s, want 403", path, resp.Status)
		}
	}
	// The sign-in form carries the key as a field.
	key := a.launch(t, c, "/")
	for _, tt := range []struct {
		key  string
		want int
	}{{"", http.StatusForbidden}, {"WRONG", http.StatusForbidden}, {key, http.StatusFound}} {
		resp, err := c.PostForm(a.ts.URL+"/auth/oauth/authorize/huggingface", url.Values{"return_to": {"/"}, "hfgate_key": {tt.key}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("the sign-in form with key %q: %s, want %d", tt.key, resp.Status, tt.want)
		}
	}

	// Without the cookie, nothing: pages and API alike.
	for _, path := range []string{"/", "/downloads", "/api/downloads", "/auth/session", "/?token=WRONG"} {
		resp, body := a.get(t, stranger(t, true), path)
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "open the link it printed") {
			t.Errorf("GET %s without the owner cookie: %s, want 401 saying to open the printed link", path, resp.Status)
		}
	}
	// The app's code and styles are the same for everyone.
	if resp, _ := a.get(t, stranger(t, true), "/static/app.js"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /static/app.js: %s", resp.Status)
	}
}
