package oidcauth

import (
	"context"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestUserInfo(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	r, err := signIn(t, p, c)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	u, err := c.UserInfo(context.Background(), r.Token.AccessToken)
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if u.Username != "alice" || len(u.Orgs) == 0 {
		t.Errorf("UserInfo = %+v, want alice with her orgs", u)
	}

	_, err = c.UserInfo(context.Background(), "not-a-token")
	wantError(t, p, err, hfgate.EUNAUTHORIZED, "rejected the access token")
}
