package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/webauth"
)

type sessionJSON struct {
	SignedIn  bool   `json:"signed_in"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatar_url"`
}

func (a *app) session(t *testing.T, c *http.Client) (sessionJSON, string) {
	t.Helper()
	resp, body := a.get(t, c, "/auth/session")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /auth/session: %s", resp.Status)
	}
	var s sessionJSON
	if err := json.Unmarshal([]byte(body), &s); err != nil {
		t.Fatalf("session JSON %q: %v", body, err)
	}
	return s, body
}

func TestSignInRoundTrip(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	a := startApp(t, hub, false)
	c := a.browser(t, false)

	if s, _ := a.session(t, c); s.SignedIn {
		t.Fatal("signed in before signing in")
	}
	resp := a.signIn(t, c, "/models/hubsim/tiny-llama-GGUF?tab=files")
	if got, want := resp.Request.URL.RequestURI(), "/models/hubsim/tiny-llama-GGUF?tab=files"; got != want {
		t.Errorf("after sign-in the browser is at %s, want %s (return_to)", got, want)
	}
	token := a.storedToken(t)
	if !strings.HasPrefix(token, "hf_oauth_") {
		t.Fatalf("stored access token %q is not an OAuth token", token)
	}
	s, body := a.session(t, c)
	if !s.SignedIn || s.Username != hubsim.UserAlice || s.Name != "Alice Martin" || s.AvatarURL == "" {
		t.Errorf("session = %+v, want alice signed in with name and avatar", s)
	}
	checkAvatarLoads(t, a, c, s.AvatarURL)
	for _, path := range []string{"/auth/session", "/", "/models/hubsim/tiny-llama-GGUF", "/api/models/hubsim/tiny-llama-GGUF"} {
		_, page := a.get(t, c, path)
		if strings.Contains(page, token) {
			t.Errorf("%s contains the access token", path)
		}
	}
	if strings.Contains(body, "hf_") {
		t.Errorf("session JSON %s contains something like a token", body)
	}
	// A second browser, with no cookie, is not signed in even though the
	// server holds a token.
	if s, _ := a.session(t, a.browser(t, false)); s.SignedIn {
		t.Error("a browser without the session cookie is signed in")
	}

	resp, _ = a.post(t, c, "/auth/logout", "", map[string]string{"Accept": "application/json"})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /auth/logout: %s", resp.Status)
	}
	if s, _ := a.session(t, c); s.SignedIn {
		t.Error("still signed in after sign out")
	}
	if a.storedToken(t) != "" {
		t.Error("the credential is still stored after sign out")
	}
}

func TestAuthorizeRedirectAndCookies(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	a := startApp(t, hub, false)
	c := a.browser(t, true)

	resp, _ := a.get(t, c, "/auth/oauth/authorize/huggingface")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %s, want 302", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := loc.Query()
	if !strings.HasPrefix(loc.String(), hub.URL()+"/oauth/authorize?") || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" ||
		q.Get("redirect_uri") != a.ts.URL+"/auth/oauth/callback/huggingface" || q.Has("code_verifier") {
		t.Errorf("authorize redirects to %s: want the provider with PKCE S256, state, nonce and this server's callback", loc)
	}
	checkCookie(t, resp, webauth.AttemptCookie)

	// Follow the provider's redirect back by hand to see the session cookie.
	resp, _ = a.get(t, c, strings.TrimPrefix(follow(t, c, loc.String()), a.ts.URL))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("callback: %s to %q, want 303 to /", resp.Status, resp.Header.Get("Location"))
	}
	checkCookie(t, resp, webauth.SessionCookie)
}

// follow GETs u without following its redirect and returns the Location.
func follow(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("GET %s: %s, want a redirect", u, resp.Status)
	}
	return resp.Header.Get("Location")
}

// checkCookie fails unless resp sets cookie name HttpOnly and SameSite=Lax
// with an opaque value.
func checkCookie(t *testing.T, resp *http.Response, name string) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if !strings.HasPrefix(c.Name, name+"_") { // named for the launch
			continue
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || len(c.Value) < 20 {
			t.Errorf("cookie %s = %+v: want HttpOnly, SameSite=Lax, not Secure on http, a random value", name, c)
		}
		if strings.Contains(c.Value, "hf_") || strings.Contains(c.Value, ".") {
			t.Errorf("cookie %s holds %q, want an opaque id", name, c.Value)
		}
		return
	}
	t.Errorf("no %s cookie set; Set-Cookie: %q", name, resp.Header.Values("Set-Cookie"))
}

func TestDeniedConsentMakesNoSession(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{}) // shows the consent page
	a := startApp(t, hub, false)
	c := a.browser(t, false)

	resp, page := a.get(t, c, "/auth/oauth/authorize/huggingface?return_to=/models/hubsim/tiny-llama-GGUF")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), hub.URL()) {
		t.Fatalf("authorize ended at %s with %s, want the consent page", resp.Request.URL, resp.Status)
	}
	form := url.Values{"user": {hubsim.UserBob}, "decision": {"deny"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], m[2])
	}
	action := regexp.MustCompile(`<form method="post" action="([^"]*)"`).FindStringSubmatch(page)
	if action == nil {
		t.Fatalf("no consent form on the page:\n%s", page)
	}
	target, _ := resp.Request.URL.Parse(strings.ReplaceAll(action[1], "&amp;", "&"))
	resp, err := c.PostForm(target.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(t, resp)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "denied") {
		t.Errorf("after deny: %s at %s, want 401 with a page saying access was denied:\n%s", resp.Status, resp.Request.URL, body)
	}
	if !strings.Contains(body, `data-testid="connect-again"`) || !strings.Contains(body, `name="return_to" value="/models/hubsim/tiny-llama-GGUF"`) {
		t.Errorf("the error page does not offer to connect again from the page the sign-in began on:\n%s", body)
	}
	if s, _ := a.session(t, c); s.SignedIn {
		t.Error("signed in after denying consent")
	}
	if a.storedToken(t) != "" {
		t.Error("a credential was stored after denying consent")
	}
}

func TestCallbackWithoutAttempt(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	a := startApp(t, hub, false)
	c := a.browser(t, false)
	resp, body := a.get(t, c, "/auth/oauth/callback/huggingface?code=stolen&state=guess")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not started from this browser") ||
		!strings.Contains(body, "sign in with Connect Hugging Face") {
		t.Errorf("callback without a sign-in: %s, want 401 and advice to connect again:\n%s", resp.Status, body)
	}
	if s, _ := a.session(t, c); s.SignedIn {
		t.Error("signed in by a forged callback")
	}
}

func TestConnectWithoutOAuthAppExplains(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{})
	a := startApp(t, hub, true)
	resp, body := a.get(t, a.browser(t, true), "/auth/oauth/authorize/huggingface")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "settings/applications/new") ||
		!strings.Contains(body, "HUGGINGFACE_CLIENT_ID") {
		t.Errorf("connect with no app: %s, want a page explaining how to register one:\n%s", resp.Status, body)
	}
}

// checkAvatarLoads checks that the page's CSP lets a browser load the
// avatar at u and that the Hub serves an image there.
func checkAvatarLoads(t *testing.T, a *app, c *http.Client, u string) {
	t.Helper()
	resp, _ := a.get(t, c, "/")
	au, err := url.Parse(u)
	if err != nil || !au.IsAbs() {
		t.Fatalf("avatar URL %q is not absolute", u)
	}
	var imgSrc []string
	for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
		if f := strings.Fields(d); len(f) > 0 && f[0] == "img-src" {
			imgSrc = f[1:]
		}
	}
	if !slices.Contains(imgSrc, au.Scheme+"://"+au.Host) {
		t.Errorf("CSP img-src %q does not allow the avatar %s", imgSrc, u)
	}
	img, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	img.Body.Close()
	if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("GET %s: %s %q, want an SVG image", u, img.Status, img.Header.Get("Content-Type"))
	}
}
