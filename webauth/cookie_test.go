package webauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/webauth"
)

// TestCookieSuffix: with a suffix, the cookies carry it, and a cookie of
// the bare name (another server's on the same host) names no session here.
func TestCookieSuffix(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, func(a *webauth.Auth) { a.CookieSuffix = "_A1b2" })
	c := browser(t, true)
	resp, _ := s.get(t, c, "/auth/oauth/authorize/huggingface")
	var names []string
	for _, ck := range resp.Cookies() {
		names = append(names, ck.Name)
	}
	if !slices.Equal(names, []string{webauth.AttemptCookie + "_A1b2"}) {
		t.Errorf("authorize set cookies %q, want the suffixed attempt cookie", names)
	}

	signedIn := browser(t, false)
	s.signIn(t, signedIn, hubsim.UserAlice)
	u, _ := url.Parse(s.ts.URL)
	var secret string
	for _, ck := range signedIn.Jar.Cookies(u) {
		if ck.Name == webauth.SessionCookie+"_A1b2" {
			secret = ck.Value
		}
	}
	if secret == "" {
		t.Fatalf("no %s_A1b2 cookie after signing in", webauth.SessionCookie)
	}
	for _, tt := range []struct {
		name, want string
	}{
		{webauth.SessionCookie + "_A1b2", " alice"},
		{webauth.SessionCookie, "anonymous"},
		{webauth.SessionCookie + "_other", "anonymous"},
	} {
		req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/whoami", nil)
		req.AddCookie(&http.Cookie{Name: tt.name, Value: secret})
		if got := s.serve(req); !strings.Contains(got, tt.want) {
			t.Errorf("the session secret under cookie %s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestAuthorizeForm: a sign-in also starts from a form POST, with
// return_to a form field, and ends on that page.
func TestAuthorizeForm(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, nil)
	c := browser(t, false)
	resp, err := c.PostForm(s.ts.URL+"/auth/oauth/authorize/huggingface", url.Values{"return_to": {"/whoami"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path != "/whoami" {
		t.Errorf("the form sign-in ended at %s, want /whoami", resp.Request.URL)
	}
	if got := s.whoami(t, c); !strings.HasSuffix(got, " alice") {
		t.Errorf("after the form sign-in: %q", got)
	}
	resp, err = c.PostForm(s.ts.URL+"/auth/oauth/authorize/huggingface", url.Values{"return_to": {"https://evil.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a form with a foreign return_to: %s, want 400", resp.Status)
	}
}

// TestSignInFailedKnowsWhereItBegan: the page of a refused sign-in gets the
// page the sign-in began on, for "sign in again".
func TestSignInFailedKnowsWhereItBegan(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserBob})
	var got webauth.ErrorPage
	s := startSite(t, hub, func(a *webauth.Auth) {
		a.Errors.Page = func(w http.ResponseWriter, _ *http.Request, p webauth.ErrorPage) error {
			got = p
			w.WriteHeader(p.Status)
			return nil
		}
	})
	s.refuse = true
	resp, _ := s.get(t, browser(t, false), "/auth/oauth/authorize/huggingface?return_to="+url.QueryEscape("/models/a/b?x=1"))
	if resp.StatusCode != http.StatusForbidden || !got.SignIn || got.ReturnTo != "/models/a/b?x=1" ||
		got.Code != hfgate.EFORBIDDEN {
		t.Errorf("refused sign-in: %s, page %+v; want 403 with ReturnTo /models/a/b?x=1", resp.Status, got)
	}
}
