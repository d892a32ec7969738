package webauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/webauth"
)

func TestReturnToRejectsOtherSites(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	s := startSite(t, hub, nil)
	bad := []string{
		"//evil.example",
		"//evil.example/path",
		"///evil.example",
		"////evil.example",
		`/\evil.example`,
		`\\evil.example`,
		`/\/evil.example`,
		"/%2F%2Fevil.example",
		"%2F%2Fevil.example",
		"/%2fevil.example",
		"/%5Cevil.example",
		"/%5cevil.example",
		"%5C%5Cevil.example",
		"/%252F%252Fevil.example", // double encoded
		"https://evil.example/",
		"http:evil.example",
		"javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"evil.example",
		"models/relative",
		"/path\r\nSet-Cookie: x=y",
		"/path\twith-tab",
		"/path%0d%0aLocation:%20//evil.example",
		"/\x00",
		"/auth/logout",
		"/./auth/oauth/authorize/huggingface",
		"/models/../auth/logout",
		"/%2E/auth/logout",
		"/" + strings.Repeat("a", 3000),
	}
	for _, rt := range bad {
		t.Run(rt, func(t *testing.T) {
			if got, err := webauth.ReturnTo(rt); hfgate.ErrorCode(err) != hfgate.EINVALID {
				t.Errorf("ReturnTo = %q, %v; want an EINVALID error", got, err)
			}
			resp, body := s.get(t, browser(t, true), "/auth/oauth/authorize/huggingface?return_to="+url.QueryEscape(rt))
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("return_to=%q: %s (Location %q), want 400", rt, resp.Status, resp.Header.Get("Location"))
			}
			if !strings.Contains(body, "return_to must be a path on this site") {
				t.Errorf("return_to=%q: the page does not say why", rt)
			}
			for _, c := range resp.Cookies() {
				if c.Name == webauth.AttemptCookie {
					t.Errorf("return_to=%q: a sign-in was started anyway", rt)
				}
			}
		})
	}

	good := []string{"/", "/downloads", "/models/hubsim/tiny-llama-GGUF", "/?q=coder&gguf=1", "/models/a/b#files"}
	for _, rt := range good {
		if got, err := webauth.ReturnTo(rt); err != nil || got != rt {
			t.Errorf("ReturnTo(%q) = %q, %v; want it unchanged", rt, got, err)
		}
	}
	if got, err := webauth.ReturnTo(""); err != nil || got != "/" {
		t.Errorf(`ReturnTo("") = %q, %v; want "/"`, got, err)
	}
}
