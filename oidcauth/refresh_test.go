package oidcauth

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// signedIn signs in at p and returns the client and the credential.
func signedIn(tb testing.TB, p *fakeProvider) (*Client, *hfgate.Credential) {
	tb.Helper()
	c := mustOpen(tb, p, nil)
	r, err := signIn(tb, p, c)
	if err != nil {
		tb.Fatalf("sign-in: %v", err)
	}
	return c, r.Credential(p.srv.URL, hfgate.LocalSubject)
}

func TestRefreshRotation(t *testing.T) {
	p := newProvider(t)
	c, old := signedIn(t, p)
	p.clock.Advance(50 * time.Minute)
	next, err := c.Refresh(context.Background(), old)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if next.AccessToken == old.AccessToken || next.RefreshToken == old.RefreshToken || next.RefreshToken == "" {
		t.Errorf("Refresh kept a token: old %+v, new %+v", old, next)
	}
	if got, want := next.Expiry, p.clock.Now().Add(time.Hour); !got.Equal(want) {
		t.Errorf("Expiry = %v, want %v", got, want)
	}
	if next.Username != "alice" || next.Endpoint != old.Endpoint {
		t.Errorf("Refresh lost fields: %+v", next)
	}

	// The provider rotated: the old refresh token is spent. That is what a
	// second process refreshing without the lock would run into.
	_, err = c.Refresh(context.Background(), old)
	wantError(t, p, err, hfgate.EUNAUTHORIZED, "your Hugging Face session expired or was revoked", "invalid_grant")
	if got := hfgate.ErrorAction(err); got != hfgate.ActionSignIn {
		t.Errorf("action = %q, want %q", got, hfgate.ActionSignIn)
	}
	if n := p.Hits("refresh_token"); n != 2 {
		t.Errorf("refresh requests = %d, want 2 (one per call: no auth-style probing)", n)
	}

	if _, err := c.Refresh(context.Background(), next); err != nil {
		t.Errorf("Refresh with the rotated token: %v", err)
	}
}

func TestRefreshKeepsOldTokenWhenNoneReturned(t *testing.T) {
	p := newProvider(t)
	p.noRotate = true
	c, old := signedIn(t, p)
	next, err := c.Refresh(context.Background(), old)
	if err != nil {
		t.Fatalf("Refresh: %v", err)
	}
	if next.RefreshToken != old.RefreshToken {
		t.Errorf("RefreshToken = %q, want the old %q", next.RefreshToken, old.RefreshToken)
	}
	if next.AccessToken == old.AccessToken {
		t.Error("access token not replaced")
	}
	if _, err := c.Refresh(context.Background(), next); err != nil {
		t.Errorf("second Refresh: %v", err)
	}
}

func TestRefreshErrors(t *testing.T) {
	p := newProvider(t)
	c, cred := signedIn(t, p)
	for _, tt := range []struct {
		name  string
		setup func()
		cred  func() *hfgate.Credential
		code  string
		part  string
	}{
		{"no refresh token", nil, func() *hfgate.Credential { cp := *cred; cp.RefreshToken = ""; return &cp },
			hfgate.EUNAUTHORIZED, "cannot be renewed"},
		{"another app", nil, func() *hfgate.Credential { cp := *cred; cp.ClientID = "other-app"; return &cp },
			hfgate.EUNAUTHORIZED, "another OAuth app"},
		{"server error", func() { p.refreshStatus = http.StatusServiceUnavailable }, func() *hfgate.Credential { return cred },
			hfgate.EUNAVAILABLE, "unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			_, err := c.Refresh(context.Background(), tt.cred())
			wantError(t, p, err, tt.code, tt.part)
		})
	}
}
