package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// TestE2EHubCommandRefreshes: a Hub command (download from a gated repo,
// which needs alice's token) uses the stored sign-in and renews it first
// when it is about to expire.
func TestE2EHubCommandRefreshes(t *testing.T) {
	e := newE2E(t, shortLived)
	if r := e.run("", "download", hubsim.RepoGated, "config.json"); r.code != exitAuth {
		t.Fatalf("gated download before login: exit %d, want %d", r.code, exitAuth)
	}
	e.login()
	old := e.storedCred()
	e.hub.Advance(3 * time.Minute) // the first access token is dead at hubsim now

	e.hub.ResetCounters()
	r := e.mustRun("", "download", hubsim.RepoGated, "config.json")
	if !strings.Contains(r.stdout, "config.json") {
		t.Errorf("download printed no path: %q", r.stdout)
	}
	// The download makes several Hub requests; the token is renewed once
	// (the renewed one still expires within the leeway, so without the
	// per-process reuse each request would renew it again).
	c := e.hub.Counters()
	if hub, tok := c.Route(hubsim.RouteModelInfo).Requests+c.Route(hubsim.RouteResolve).Requests, c.Route(hubsim.RouteToken).Requests; hub < 2 || tok != 1 {
		t.Errorf("%d Hub requests made %d token requests, want >= 2 and 1", hub, tok)
	}
	now := e.storedCred()
	if now.AccessToken == old.AccessToken || now.RefreshToken == old.RefreshToken {
		t.Fatalf("download did not renew the stored credential")
	}
	if got := whoamiStatus(t, e.hub, now.AccessToken); got != http.StatusOK {
		t.Errorf("renewed token: whoami-v2 status %d", got)
	}

	// A sign-in that can no longer be renewed is an error, not a silent
	// fall back to anonymous access.
	e.hub.Advance(hubsim.DefaultRefreshTokenTTL + time.Hour)
	r = e.run("", "download", hubsim.RepoTiny, "README.md")
	if r.code != exitAuth || !strings.Contains(r.stderr, "signed out") {
		t.Errorf("download with a dead sign-in: exit %d, stderr %q", r.code, r.stderr)
	}
}
