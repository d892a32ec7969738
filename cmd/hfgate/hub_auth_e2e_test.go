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

	r := e.mustRun("", "download", hubsim.RepoGated, "config.json")
	if !strings.Contains(r.stdout, "config.json") {
		t.Errorf("download printed no path: %q", r.stdout)
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
