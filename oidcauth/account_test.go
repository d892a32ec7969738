package oidcauth

import (
	"context"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
)

// TestAccountFromUserInfo: an OpenID Connect issuer that is no Hub answers
// whoami-v2 with 404, and the account comes from its userinfo.
func TestAccountFromUserInfo(t *testing.T) {
	p := newProvider(t)
	_, cred := signedIn(t, p)
	var opens int
	s := source(p, newStoreWith(t, cred), cred.Endpoint, &opens)
	hub := &hfhub.Client{Endpoint: cred.Endpoint, HTTPClient: p.srv.Client(), Token: s.Token}

	a, err := s.Account(local, hub)
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if !a.FromUserInfo || a.User.Username != "alice" || a.Credential.AccessToken != cred.AccessToken || opens != 1 {
		t.Errorf("Account = %+v (user %+v), opens %d; want alice from userinfo", a, a.User, opens)
	}

	if _, err := s.Account(context.Background(), hub); hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED || hfgate.ErrorAction(err) != hfgate.ActionSignIn {
		t.Errorf("Account of an anonymous caller: %v, want unauthorized with sign_in", err)
	}
}
