package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/postgres/postgrestest"
)

// TestE2EServeReplicas: two hfgate serve processes on one PostgreSQL act
// as one: a sign-in at one is a session at the other, and a token an admin
// revokes through one is refused by the other.
func TestE2EServeReplicas(t *testing.T) {
	db := postgrestest.URL(t)
	e := newE2E(t, hubsim.Options{})
	cfg := e.gatewayConfigFile(e.newKey("k1"))
	a, b := e.serve(cfg, db), e.serve(cfg, db)

	alice := e.gwBrowser("alice")
	e.signInGateway(alice, a.url)
	resp, err := alice.Get(b.url + "/api/account") // the cookie is for 127.0.0.1, as behind one load balancer
	if err != nil {
		t.Fatal(err)
	}
	var acct struct {
		User     struct{ Username string }
		Sessions []struct{ ID string }
		CSRF     string `json:"csrf_token"`
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &acct) != nil || acct.User.Username != "alice" {
		t.Fatalf("the session made at replica A, at replica B: %d %s", resp.StatusCode, body)
	}

	var created struct{ ID, Token string }
	// Bob's sign-in begins at replica A and the Hub's redirect reaches B:
	// a load balancer need not be sticky (the pending sign-in travels
	// sealed with the replicas' keys). Bob exists once he signed in.
	signInAcross(t, e.gwBrowser("bob"), a.url, b.url)
	r := e.mustRun("", "admin", "tokens", "create", "--config", cfg, "--database", db, "--user", "bob", "--name", "x", "--ttl", "1h", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil {
		t.Fatal(err)
	}
	e.addSecret(created.Token)
	for _, gw := range []*serving{a, b} {
		if s := gatewayWhoami(t, gw.url, created.Token); s != http.StatusOK {
			t.Fatalf("bob's token at %s: %d", gw.url, s)
		}
	}

	// Alice, an admin, revokes bob's token through replica A's API, with
	// her browser session (and its CSRF token).
	body, _ := json.Marshal(map[string]string{"token_id": created.ID})
	req, _ := http.NewRequest("POST", a.url+"/admin/api/revoke", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", acct.CSRF)
	req.Header.Set("Origin", a.url)
	start := time.Now()
	resp, err = alice.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"tokens":1`) {
		t.Fatalf("revoke through replica A: %d %s", resp.StatusCode, body)
	}
	if s := gatewayWhoami(t, a.url, created.Token); s != http.StatusUnauthorized {
		t.Errorf("replica A, right after revoking: %d", s)
	}
	refusedWithin(t, "replica B", b.url, created.Token)
	t.Logf("revoked at A to refused at B: %v (includes the revoking request)", time.Since(start).Round(time.Millisecond))
	e.stop(a)
	e.stop(b)
}

// signInAcross signs c in with a sign-in begun at replica from whose
// callback, the Hub's redirect, reaches replica to.
func signInAcross(t *testing.T, c *http.Client, from, to string) {
	t.Helper()
	nc := *c
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	next := from + "/auth/oauth/authorize/huggingface?return_to=/api/account"
	for i := 0; !strings.HasPrefix(next, from+"/auth/oauth/callback/"); i++ {
		resp, err := nc.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := resp.Location()
		if err != nil || i > 5 {
			t.Fatalf("sign-in at %s: %s from %s, not on its way to the callback", from, resp.Status, next)
		}
		next = loc.String()
	}
	resp, err := c.Get(to + strings.TrimPrefix(next, from))
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, `"subject"`) {
		t.Fatalf("the callback of a sign-in begun at %s, at %s: %d %.300s", from, to, resp.StatusCode, body)
	}
}
