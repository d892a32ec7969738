package oidcauth_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/oidcauth"
)

// openHubsim opens the Hugging Face preset against a hubsim server.
func openHubsim(tb testing.TB, s *hubsim.Server, clientID, secret string) *oidcauth.Client {
	tb.Helper()
	cfg := oidcauth.HuggingFace(s.URL())
	cfg.ClientID, cfg.ClientSecret = clientID, secret
	c, err := oidcauth.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return c
}

// loopbackSignIn runs Begin, a Go HTTP client as the browser (following
// hubsim's redirect to the loopback listener), Wait and Exchange.
func loopbackSignIn(tb testing.TB, c *oidcauth.Client, browse func(authURL string)) (*oidcauth.Result, error) {
	tb.Helper()
	ctx := context.Background()
	l, err := oidcauth.ListenLoopback(ctx, "/callback")
	if err != nil {
		tb.Fatal(err)
	}
	l.Timeout = 30 * time.Second
	authURL, a, err := c.Begin(l.RedirectURL())
	if err != nil {
		tb.Fatal(err)
	}
	go browse(authURL)
	q, err := l.Wait(ctx, a)
	if err != nil {
		return nil, err
	}
	return c.Exchange(ctx, a, q)
}

// follow is a browser that gets url and follows every redirect.
func follow(authURL string) {
	if resp, err := http.Get(authURL); err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func TestHubsimAuthCodeAndRefresh(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	for _, app := range []struct{ id, secret string }{
		{hubsim.ClientPublic, ""},
		{hubsim.ClientConfidential, hubsim.ClientSecret},
	} {
		t.Run(app.id, func(t *testing.T) {
			c := openHubsim(t, s, app.id, app.secret)
			res, err := loopbackSignIn(t, c, follow)
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			u := res.User
			if u.Username != hubsim.UserAlice || u.FullName == "" || !u.IsPro || res.IDToken == nil ||
				len(u.Orgs) != 1 || u.Orgs[0].Name != hubsim.OrgAcme || u.Orgs[0].Role != "write" {
				t.Fatalf("user = %+v", u)
			}
			if !slices.Equal(res.Scopes, oidcauth.HuggingFaceScopes()) || !strings.HasPrefix(res.Token.AccessToken, "hf_oauth_") {
				t.Fatalf("scopes %v, token prefix %.9s", res.Scopes, res.Token.AccessToken)
			}

			ctx := context.Background()
			cred := res.Credential(s.URL(), hfgate.LocalSubject)
			next, err := c.Refresh(ctx, cred)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if next.RefreshToken == cred.RefreshToken || next.AccessToken == cred.AccessToken || next.Expiry.IsZero() {
				t.Fatal("refresh did not rotate the tokens")
			}
			_, err = c.Refresh(ctx, cred)
			if hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED {
				t.Fatalf("refresh with the rotated-out token: %v, want EUNAUTHORIZED", err)
			}
			if strings.Contains(err.Error(), cred.RefreshToken) {
				t.Fatal("error text contains the refresh token")
			}
			if _, err := c.Refresh(ctx, next); err != nil {
				t.Fatalf("refresh with the new token: %v", err)
			}
		})
	}
}

func TestHubsimDeviceFlow(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserBob, DeviceInterval: time.Second})
	c := openHubsim(t, s, hubsim.ClientPublic, "")
	ctx := context.Background()
	dc, err := c.DeviceStart(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dc.VerificationURI != s.URL()+"/oauth/device" || dc.Interval != time.Second {
		t.Fatalf("device code %+v", dc)
	}
	res, err := c.DeviceWait(ctx, dc)
	if err != nil {
		t.Fatalf("DeviceWait: %v", err)
	}
	if res.User.Username != hubsim.UserBob || res.Token.RefreshToken == "" || res.IDToken == nil {
		t.Fatalf("device sign-in: user %+v", res.User)
	}
}

var consentField = regexp.MustCompile(`name="consent" value="([^"]+)"`)

func TestHubsimDeniedConsent(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	c := openHubsim(t, s, hubsim.ClientPublic, "")
	deny := func(authURL string) {
		resp, err := http.Get(authURL)
		if err != nil {
			return
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := consentField.FindSubmatch(page)
		if m == nil {
			return
		}
		resp, err = http.PostForm(s.URL()+"/oauth/authorize", url.Values{"consent": {string(m[1])},
			"user": {hubsim.UserAlice}, "decision": {"deny"}})
		if err == nil {
			resp.Body.Close()
		}
	}
	_, err := loopbackSignIn(t, c, deny)
	if hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED || !strings.Contains(hfgate.ErrorMessage(err), "denied") {
		t.Fatalf("denied consent: %v, want EUNAUTHORIZED saying it was denied", err)
	}
}

// TestHubsimAccount: against a Hub, the account comes from whoami-v2, with
// the token the TokenSource hands out for the caller.
func TestHubsimAccount(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserBob})
	c := openHubsim(t, s, hubsim.ClientPublic, "")
	res, err := loopbackSignIn(t, c, follow)
	if err != nil {
		t.Fatal(err)
	}
	bob := res.Principal("huggingface")
	if bob.Subject == "huggingface:" || bob.Username != hubsim.UserBob || bob.Claims["preferred_username"] != hubsim.UserBob {
		t.Fatalf("principal = %+v", bob)
	}
	store := &memstore.Store{}
	if err := store.SaveCredential(context.Background(), res.Credential(s.URL(), bob.Subject)); err != nil {
		t.Fatal(err)
	}
	ts := &oidcauth.TokenSource{Store: store, Endpoint: s.URL()}
	hub := &hfhub.Client{Endpoint: s.URL(), Token: ts.Token}
	a, err := ts.Account(hfgate.WithPrincipal(context.Background(), bob), hub)
	if err != nil {
		t.Fatal(err)
	}
	if a.FromUserInfo || a.User.Username != hubsim.UserBob || a.User.Auth.Type == "" {
		t.Errorf("Account = %+v (user %+v), want bob from whoami-v2", a, a.User)
	}
}
