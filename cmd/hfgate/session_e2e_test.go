package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// shortLived makes hubsim issue access tokens that live less than hfgate's
// five-minute refresh leeway, so that every use of a stored token renews it
// first: the binary runs on the real clock, so this is how a test makes its
// token "about to expire" without waiting.
var shortLived = hubsim.Options{AutoApprove: hubsim.UserAlice, AccessTokenTTL: 2 * time.Minute}

// whoamiStatus calls /api/whoami-v2 with tok and returns the status.
func whoamiStatus(tb testing.TB, hub *hubsim.Server, tok string) int {
	tb.Helper()
	req, _ := http.NewRequest("GET", hub.URL()+"/api/whoami-v2", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// refreshStatus spends refreshToken at hubsim's token endpoint directly.
func refreshStatus(tb testing.TB, hub *hubsim.Server, refreshToken string) (int, string) {
	tb.Helper()
	resp, err := http.PostForm(hub.URL()+"/oauth/token", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {hubsim.ClientPublic}})
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Error
}

func TestE2ERefreshRotation(t *testing.T) {
	e := newE2E(t, shortLived)
	e.login()
	old := e.storedCred()
	e.hub.Advance(3 * time.Minute) // hubsim: the first access token has now expired
	if got := whoamiStatus(t, e.hub, old.AccessToken); got != http.StatusUnauthorized {
		t.Fatalf("expired access token: whoami-v2 status %d, want 401", got)
	}

	r := e.mustRun("", "token")
	tok := strings.TrimSpace(r.stdout)
	e.addSecret(tok)
	if r.stderr != "" {
		t.Errorf("token printed on stderr while renewing: %q", r.stderr)
	}
	now := e.storedCred()
	if tok == old.AccessToken || tok != now.AccessToken {
		t.Fatalf("token did not print a renewed, stored access token")
	}
	if now.RefreshToken == old.RefreshToken {
		t.Fatalf("the refresh token was not rotated")
	}
	if got := whoamiStatus(t, e.hub, tok); got != http.StatusOK {
		t.Errorf("renewed access token: whoami-v2 status %d, want 200", got)
	}
	if code, errCode := refreshStatus(t, e.hub, old.RefreshToken); code != http.StatusBadRequest || errCode != "invalid_grant" {
		t.Errorf("old refresh token: status %d error %q, want 400 invalid_grant", code, errCode)
	}

	var out whoamiOutput
	if err := json.Unmarshal([]byte(e.mustRun("", "whoami", "--json").stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Username != "alice" || out.Token.Kind != "oauth" || out.Token.Source != "file" ||
		!slices.Contains(out.Token.Scopes, "read-repos") || out.Token.ExpiresAt == nil {
		t.Errorf("whoami --json = %+v", out)
	}
	if !slices.ContainsFunc(out.Orgs, func(o whoamiOrg) bool { return o.Name == hubsim.OrgAcme && o.Role == "write" }) {
		t.Errorf("whoami orgs = %+v, want acme (write)", out.Orgs)
	}
	e.storedCred() // record the last rotation's tokens for the output scan
}

// TestE2EConcurrentRefresh runs several "hfgate token" at once on a token
// due for renewal. Refresh tokens rotate, so two processes spending the same
// one would make one of them fail with invalid_grant; the store's lock must
// serialise them.
func TestE2EConcurrentRefresh(t *testing.T) {
	e := newE2E(t, shortLived)
	e.login()
	e.storedCred()
	var wg sync.WaitGroup
	results := make([]result, 4)
	for i := range results {
		wg.Go(func() { results[i] = e.run("", "token") })
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("token #%d: exit %d: %s", i, r.code, r.stderr)
		}
		e.addSecret(strings.TrimSpace(r.stdout))
	}
	if code, _ := refreshStatus(t, e.hub, e.storedCred().RefreshToken); code != http.StatusOK {
		t.Errorf("the stored refresh token is dead (status %d): a refresh was lost", code)
	}
}

func TestE2ESignedOut(t *testing.T) {
	for _, tt := range []struct {
		name string
		kill func(e *e2e)
	}{
		{"refresh token expired", func(e *e2e) { e.hub.Advance(hubsim.DefaultRefreshTokenTTL + time.Hour) }},
		{"app revoked", func(e *e2e) {
			if _, err := e.hub.RevokeOAuth(hubsim.UserAlice); err != nil {
				e.t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newE2E(t, shortLived)
			e.login()
			e.storedCred()
			tt.kill(e)
			for _, args := range [][]string{{"token"}, {"whoami"}} {
				r := e.run("", args...)
				if r.code != exitAuth || !strings.Contains(r.stderr, "signed out") || !strings.Contains(r.stderr, "run hfgate login") {
					t.Errorf("%s: exit %d, stderr %q; want exit 3 and \"signed out … run hfgate login\"", args[0], r.code, r.stderr)
				}
				if r.stdout != "" {
					t.Errorf("%s printed %q on stdout", args[0], r.stdout)
				}
			}
		})
	}
}

func TestE2ELogout(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	e.login()
	e.storedCred()
	r := e.mustRun("", "logout")
	if want := "Removed the " + e.credFile() + " entry for " + e.hub.URL() + "\n"; !strings.HasPrefix(r.stdout, want) {
		t.Errorf("logout stdout %q, want %q", r.stdout, want)
	}
	if _, err := os.Stat(e.credFile()); !os.IsNotExist(err) {
		t.Errorf("credentials file still there after logout (err %v)", err)
	}
	if r := e.run("", "token"); r.code != exitAuth || !strings.Contains(r.stderr, "not signed in") {
		t.Errorf("token after logout: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := e.mustRun("", "logout"); !strings.Contains(r.stdout, "Nothing was stored") {
		t.Errorf("second logout: %q", r.stdout)
	}
	e.setenv("HF_TOKEN", "hf_fromtheenvironment")
	if r := e.mustRun("", "logout"); !strings.Contains(r.stdout, "HF_TOKEN is still set") {
		t.Errorf("logout with HF_TOKEN set does not say it still applies: %q", r.stdout)
	}
}

func TestE2ELoginWithToken(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	e.setenv("HUGGINGFACE_CLIENT_ID", "") // --with-token needs no OAuth app
	// Mint a classic token the way the Node suite does, over hubsim's admin route.
	resp, err := http.Post(e.hub.URL()+"/_hubsim/tokens", "application/json", strings.NewReader(`{"user":"bob","role":"read"}`))
	if err != nil {
		t.Fatal(err)
	}
	var minted struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&minted)
	resp.Body.Close()
	if err != nil || !strings.HasPrefix(minted.Token, "hf_") {
		t.Fatalf("mint token: status %d, %v", resp.StatusCode, err)
	}
	tok := minted.Token
	e.addSecret(tok)
	r := e.mustRun(tok+"\n", "login", "--with-token")
	if !strings.HasPrefix(r.stdout, "Signed in as bob to "+e.hub.URL()) {
		t.Errorf("stdout %q", r.stdout)
	}
	if got := e.token(); got != tok {
		t.Errorf("token printed another token than the one given")
	}
	var out whoamiOutput
	if err := json.Unmarshal([]byte(e.mustRun("", "whoami", "--json").stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Username != "bob" || out.Token.Kind != "classic" || out.Token.Role != "read" {
		t.Errorf("whoami --json = %+v", out)
	}

	e.mustRun("", "logout")
	r = e.run("hf_thisisnotavalidtoken\n", "login", "--with-token")
	if r.code != exitAuth || !strings.Contains(r.stderr, "rejected this token") {
		t.Errorf("bad token: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "thisisnotavalidtoken") {
		t.Errorf("the rejected token is echoed: %q", r.stderr)
	}
	if _, err := os.Stat(e.credFile()); !os.IsNotExist(err) {
		t.Errorf("a rejected token was stored (err %v)", err)
	}
	if r := e.run("", "login", "--with-token"); r.code != exitUsage || !strings.Contains(r.stderr, "no token on standard input") {
		t.Errorf("empty input: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestE2ENoTokenInOutput runs a whole session and scans everything hfgate
// printed for every token and code it handled (newE2E's cleanup does the
// scan, for this and every other end-to-end test); only token's stdout may
// hold an access token.
func TestE2ENoTokenInOutput(t *testing.T) {
	e := newE2E(t, shortLived)
	e.login()
	e.storedCred()
	e.hub.Advance(3 * time.Minute)
	e.token() // a refresh
	e.storedCred()
	e.mustRun("", "whoami")
	e.mustRun("", "whoami", "--json")
	e.hub.Advance(hubsim.DefaultRefreshTokenTTL + time.Hour)
	if r := e.run("", "token"); r.code != exitAuth {
		t.Errorf("token with a dead refresh token: exit %d", r.code)
	}
	e.mustRun("", "logout")

	e.mu.Lock()
	defer e.mu.Unlock()
	// login's code; two access and two refresh tokens; the refreshed access
	// token again from token's stdout.
	if len(e.secrets) < 5 || len(e.outputs) < 10 {
		t.Fatalf("scanned %d outputs for %d secrets: the session did not run", len(e.outputs), len(e.secrets))
	}
}
