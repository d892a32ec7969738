package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// TestUIOwnerCredentialSurvives: a browser sign-in never replaces the
// command line's account with another: neither a sign-in kept in the
// credential store nor a bare token in HF_TOKEN, whose account the Hub
// names. The same account may sign in, and the page says which token the
// command line uses.
func TestUIOwnerCredentialSurvives(t *testing.T) {
	t.Run("stored sign-in", func(t *testing.T) {
		e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
		e.login()
		before := e.storedCred()
		_, launch := e.startWeb("ui")
		o := openLaunch(t, launch)
		if s := o.session(t); s["signed_in"] != false || s["cli"] == nil || s["cli"].(map[string]any)["username"] != hubsim.UserAlice {
			t.Errorf("before any browser sign-in: %v, want the command line's account, alice", s)
		}
		if err := e.hub.SetAutoApprove(hubsim.UserBob); err != nil {
			t.Fatal(err)
		}
		resp, body := o.signIn(t, "/")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "signed in to") || !strings.Contains(body, "@alice") ||
			!strings.Contains(body, "@bob") {
			t.Errorf("bob's sign-in over alice's: %s, want 403 saying alice is signed in:\n%s", resp.Status, body)
		}
		if after := e.storedCred(); after == nil || after.Username != hubsim.UserAlice || after.AccessToken != before.AccessToken {
			t.Errorf("the stored credential after bob's attempt: %+v, want alice's as before", after)
		}
		if r := e.mustRun("", "whoami"); !strings.Contains(r.stdout, hubsim.UserAlice) {
			t.Errorf("whoami after bob's attempt: %q", r.stdout)
		}
		if s := o.session(t); s["signed_in"] != false {
			t.Errorf("after the refused sign-in: %v, want not signed in", s)
		}
		// alice herself may connect the browser.
		if err := e.hub.SetAutoApprove(hubsim.UserAlice); err != nil {
			t.Fatal(err)
		}
		if resp, body := o.signIn(t, "/"); resp.StatusCode != http.StatusOK {
			t.Errorf("alice's sign-in: %s %s", resp.Status, body)
		}
		if s := o.session(t); s["signed_in"] != true || s["username"] != hubsim.UserAlice {
			t.Errorf("after alice's sign-in: %v", s)
		}
	})

	t.Run("HF_TOKEN", func(t *testing.T) {
		e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserBob})
		token, err := e.hub.MintToken(hubsim.UserAlice, "read")
		if err != nil {
			t.Fatal(err)
		}
		e.addSecret(token)
		e.setenv("HF_TOKEN", token)
		_, launch := e.startWeb("ui")
		o := openLaunch(t, launch)
		cli, _ := o.session(t)["cli"].(map[string]any)
		if cli == nil || cli["username"] != hubsim.UserAlice || cli["source"] != "HF_TOKEN" {
			t.Errorf("the command line's account: %v, want alice's token from HF_TOKEN", cli)
		}
		resp, body := o.signIn(t, "/")
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "HF_TOKEN") || !strings.Contains(body, "@alice") {
			t.Errorf("bob's sign-in while HF_TOKEN is alice's: %s, want 403 naming HF_TOKEN and alice:\n%s", resp.Status, body)
		}
		if s := o.session(t); s["signed_in"] != false {
			t.Errorf("bob rides on alice's HF_TOKEN: %v", s)
		}
		// bob's session never counts, even if one were made: the app asks
		// for private models with no token.
		status, _ := request(t, o.Client, "GET", o.base+"/api/models/alice/coder-lora-experiments", "", nil)
		if status != http.StatusNotFound {
			t.Errorf("alice's private model, browser not signed in: %d, want 404 (asked anonymously)", status)
		}
		if err := e.hub.SetAutoApprove(hubsim.UserAlice); err != nil {
			t.Fatal(err)
		}
		if resp, body := o.signIn(t, "/"); resp.StatusCode != http.StatusOK {
			t.Errorf("alice's sign-in with her own HF_TOKEN set: %s %s", resp.Status, body)
		}
		if status, _ := request(t, o.Client, "GET", o.base+"/api/models/alice/coder-lora-experiments", "", nil); status != http.StatusOK {
			t.Errorf("alice's private model once she signed in: %d, want 200", status)
		}
	})
}
