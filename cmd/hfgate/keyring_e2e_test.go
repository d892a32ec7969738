package main

import (
	"os"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// TestE2EKeyring signs in with the real OS keyring: scripts/test runs the
// tests inside dbus-run-session with an unlocked gnome-keyring and
// HFGATE_TEST_KEYRING=1. Nothing may be written to the fallback file.
func TestE2EKeyring(t *testing.T) {
	if os.Getenv("HFGATE_TEST_KEYRING") != "1" {
		t.Skip("set HFGATE_TEST_KEYRING=1 to test the real OS keyring (on Linux: inside dbus-run-session with an unlocked gnome-keyring, as scripts/test does)")
	}
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" {
		t.Fatal("HFGATE_TEST_KEYRING=1 but DBUS_SESSION_BUS_ADDRESS is not set: run inside dbus-run-session")
	}
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	e.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
	// Whatever an earlier run left under this endpoint's name is replaced.
	r := e.login()
	if want := "Signed in as alice to " + e.hub.URL() + " (stored in keyring)\n"; r.stdout != want {
		t.Fatalf("login stdout %q, want %q", r.stdout, want)
	}
	if strings.Contains(r.stderr, "no OS keyring") {
		t.Errorf("login fell back to the file: %s", r.stderr)
	}
	tok := e.token()
	if !strings.HasPrefix(tok, "hf_oauth_") {
		t.Errorf("token %.12s… is not an OAuth access token", tok)
	}
	if r := e.mustRun("", "whoami"); !strings.Contains(r.stdout, "from keyring") {
		t.Errorf("whoami does not say the token is in the keyring:\n%s", r.stdout)
	}
	if _, err := os.Stat(e.credFile()); !os.IsNotExist(err) {
		t.Errorf("a credentials file was written although the keyring works (err %v)", err)
	}
	r = e.mustRun("", "logout")
	if !strings.Contains(r.stdout, "Removed the OS keyring entry for "+e.hub.URL()) {
		t.Errorf("logout stdout %q", r.stdout)
	}
	if r := e.run("", "token"); r.code != exitAuth {
		t.Errorf("token after logout: exit %d, want %d", r.code, exitAuth)
	}
}
