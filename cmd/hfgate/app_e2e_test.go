package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// whoamiJSON runs hfgate whoami --json.
func (e *e2e) whoamiJSON() whoamiOutput {
	e.t.Helper()
	var out whoamiOutput
	if err := json.Unmarshal([]byte(e.mustRun("", "whoami", "--json").stdout), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestE2EScopes: --scopes decides what is asked for, and so whether
// whoami may show the email.
func TestE2EScopes(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	e.login()
	if out := e.whoamiJSON(); out.Email != "" || slices.Contains(out.Token.Scopes, "email") {
		t.Errorf("default scopes: whoami = %+v, want no email", out)
	}
	e.login("--scopes", "openid profile email")
	out := e.whoamiJSON()
	if out.Email != "alice@example.com" || !slices.Equal(out.Token.Scopes, []string{"openid", "profile", "email"}) {
		t.Errorf("with the email scope: whoami = %+v", out)
	}
	human := e.mustRun("", "whoami").stdout
	for _, re := range []string{
		`(?m)^user: +alice \(Alice Martin\)$`, `(?m)^email: +alice@example\.com$`, `(?m)^orgs: +acme \(write\)$`,
		`(?m)^token: +oauth, from file$`, `(?m)^scopes: +openid profile email$`, `(?m)^expires: +\d{4}-\d\d-\d\d \d\d:\d\d .+ \(in (7h5\dm|8h00m)\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(human) {
			t.Errorf("whoami output does not match %s:\n%s", re, human)
		}
	}
}

// TestE2EConfidentialAppFromConfig: the OAuth app comes from the config
// file, with a secret, and the secret is used again to renew the token.
func TestE2EConfidentialAppFromConfig(t *testing.T) {
	e := newE2E(t, shortLived)
	e.setenv("HUGGINGFACE_CLIENT_ID", "")
	e.addSecret(hubsim.ClientSecret)
	dir := filepath.Join(e.home, "config", "hfgate")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	config := `[huggingface]
client_id = "` + hubsim.ClientConfidential + `"
client_secret = "` + hubsim.ClientSecret + `"
scopes = ["openid", "profile", "read-repos"]
`
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	e.login()
	old := e.storedCred()
	if old.ClientID != hubsim.ClientConfidential || !slices.Equal(old.Scopes, []string{"openid", "profile", "read-repos"}) {
		t.Fatalf("stored credential = %+v", old)
	}
	e.hub.Advance(3 * time.Minute)
	if tok := e.token(); tok == old.AccessToken {
		t.Errorf("the token was not renewed")
	}
	if e.storedCred().RefreshToken == old.RefreshToken {
		t.Errorf("the refresh token was not rotated")
	}
}
