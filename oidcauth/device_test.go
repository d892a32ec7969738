package oidcauth

import (
	"context"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// The fake provider asks for a 1 s interval, the smallest RFC 8628 allows,
// and slow_down adds 5 s, so these subtests run in parallel.
func TestDevice(t *testing.T) {
	for _, tt := range []struct {
		name       string
		script     []string
		idToken    bool
		editClaims func(map[string]any)
		ttl        int
		code       string // "" for success
		part       string
		polls      int // -1: any number
	}{
		{name: "pending, slow_down, approved", script: []string{"authorization_pending", "slow_down"}, idToken: true, polls: 3},
		{name: "approved without ID token", polls: 1},
		{name: "expired", script: []string{"authorization_pending", "expired_token"}, polls: 2,
			code: hfgate.EUNAUTHORIZED, part: "device code expired"},
		{name: "code expires while pending", ttl: 1, polls: -1,
			script: []string{"authorization_pending", "authorization_pending", "authorization_pending"},
			code:   hfgate.EUNAUTHORIZED, part: "device code expired"},
		{name: "denied", script: []string{"access_denied"}, polls: 1,
			code: hfgate.EUNAUTHORIZED, part: "sign-in was denied"},
		{name: "ID token for another app", idToken: true, editClaims: func(c map[string]any) { c["aud"] = "x" }, polls: 1,
			code: hfgate.EUNAUTHORIZED, part: "audience"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newProvider(t)
			p.deviceScript, p.deviceIDToken, p.editClaims, p.deviceTTL = tt.script, tt.idToken, tt.editClaims, tt.ttl
			c := mustOpen(t, p, nil)
			dc, err := c.DeviceStart(context.Background())
			if err != nil {
				t.Fatalf("DeviceStart: %v", err)
			}
			if dc.UserCode != "ABCD-EFGH" || dc.VerificationURI != p.srv.URL+"/device" || dc.Interval != time.Second {
				t.Errorf("DeviceCode = %+v", dc)
			}
			r, err := c.DeviceWait(context.Background(), dc)
			if got := p.Hits("urn:ietf:params:oauth:grant-type:device_code"); tt.polls >= 0 && got != tt.polls {
				t.Errorf("polls = %d, want %d", got, tt.polls)
			}
			if tt.code != "" {
				wantError(t, p, err, tt.code, tt.part)
				return
			}
			if err != nil {
				t.Fatalf("DeviceWait: %v", err)
			}
			if r.User.Username != "alice" || r.Token.RefreshToken == "" {
				t.Errorf("Result = %+v", r)
			}
			if (r.IDToken != nil) != tt.idToken {
				t.Errorf("IDToken = %v, want present=%v", r.IDToken, tt.idToken)
			}
		})
	}
}

func TestDeviceWaitCanceled(t *testing.T) {
	p := newProvider(t)
	c := mustOpen(t, p, nil)
	dc, err := c.DeviceStart(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.DeviceWait(ctx, dc)
	wantError(t, p, err, hfgate.ECANCELED)
}

func TestDeviceNotOffered(t *testing.T) {
	p := newProvider(t)
	p.discovery = map[string]any{"device_authorization_endpoint": nil}
	c := mustOpen(t, p, func(cfg *Config) { cfg.DeviceAuthURL = "" })
	_, err := c.DeviceStart(context.Background())
	wantError(t, p, err, hfgate.EINVALID, "does not offer device sign-in")
}
