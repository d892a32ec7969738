package hubsim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

// TestAvatarsServedWhereIdentityPoints follows whoami-v2's avatarUrl and
// userinfo's picture for alice, bob and org acme and checks that each is a
// distinct, well-formed SVG with the owner's initial, served with a
// restrictive CSP, and the same on another server.
func TestAvatarsServedWhereIdentityPoints(t *testing.T) {
	s := startTest(t, Options{})
	other := startTest(t, Options{})
	type avatar struct{ url, initial string }
	var avatars []avatar
	for _, tt := range []struct{ user, initial string }{{UserAlice, "A"}, {UserBob, "B"}} {
		var w struct {
			AvatarURL string `json:"avatarUrl"`
			Orgs      []struct {
				AvatarURL string `json:"avatarUrl"`
			}
		}
		getJSON(t, s.URL()+"/api/whoami-v2", mintToken(t, s, tt.user), &w)
		if !strings.HasPrefix(w.AvatarURL, "/avatars/") || !strings.HasSuffix(w.AvatarURL, ".svg") {
			t.Fatalf("%s: avatarUrl = %q, want /avatars/<hash>.svg", tt.user, w.AvatarURL)
		}
		var ui struct{ Picture string }
		getJSON(t, s.URL()+"/oauth/userinfo", addOAuthToken(s, tt.user, []string{"openid", "profile"}, nil), &ui)
		if ui.Picture != s.URL()+w.AvatarURL {
			t.Errorf("%s: picture = %q, want %q", tt.user, ui.Picture, s.URL()+w.AvatarURL)
		}
		avatars = append(avatars, avatar{w.AvatarURL, tt.initial})
		for _, o := range w.Orgs {
			avatars = append(avatars, avatar{o.AvatarURL, "A"}) // Acme Corp
		}
	}
	if len(avatars) != 3 {
		t.Fatalf("avatars = %v, want alice's, acme's and bob's", avatars)
	}
	seen := map[string]bool{}
	for _, a := range avatars {
		resp, body := do(t, "GET", s.URL()+a.url, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", a.url, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "image/svg+xml" {
			t.Errorf("GET %s: Content-Type %q", a.url, ct)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
			t.Errorf("GET %s: Content-Security-Policy %q", a.url, csp)
		}
		var svg struct {
			XMLName xml.Name
			Circle  struct {
				Fill string `xml:"fill,attr"`
			} `xml:"circle"`
			Text string `xml:"text"`
		}
		if err := xml.Unmarshal(body, &svg); err != nil || svg.XMLName.Local != "svg" {
			t.Fatalf("GET %s: not an SVG (%v): %s", a.url, err, body)
		}
		if svg.Text != a.initial || svg.Circle.Fill == "" {
			t.Errorf("GET %s: initial %q fill %q, want %q", a.url, svg.Text, svg.Circle.Fill, a.initial)
		}
		if seen[string(body)] {
			t.Errorf("GET %s: same image as another account", a.url)
		}
		seen[string(body)] = true
		if _, again := do(t, "GET", other.URL()+a.url, ""); !bytes.Equal(again, body) {
			t.Errorf("GET %s: another server drew a different image", a.url)
		}
	}
	for _, p := range []string{"/avatars/0123456789abcdef0123456789abcdef.svg", "/avatars/"} {
		if resp, _ := do(t, "GET", s.URL()+p, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
}

// TestInitial pins which character an avatar shows: the first of the first
// name that begins with a letter or digit, upper-cased.
func TestInitial(t *testing.T) {
	for _, tt := range []struct {
		names []string
		want  string
	}{
		{[]string{"alice Martin", "alice"}, "A"},
		{[]string{"  émile", "x"}, "É"},
		{[]string{"", "bob"}, "B"},
		{[]string{"-dash", "7up"}, "7"},
		{[]string{"\xff", "!"}, "?"},
		{nil, "?"},
	} {
		if got := initial(tt.names...); got != tt.want {
			t.Errorf("initial(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}
