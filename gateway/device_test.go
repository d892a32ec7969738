package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/oidcauth"
)

// deviceSignIn signs a tool in to the gateway with the device grant, as
// hfgate login --endpoint GW --device does (oidcauth with its checks),
// approving the code in b, and returns the result.
func deviceSignIn(t *testing.T, g *gw, b *browser, clientID string) *oidcauth.Result {
	t.Helper()
	cfg := oidcauth.HuggingFace(g.URL)
	cfg.ClientID = clientID
	client, err := oidcauth.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("oidcauth.Open(gateway): %v", err)
	}
	dc, err := client.DeviceStart(t.Context())
	if err != nil {
		t.Fatalf("DeviceStart: %v", err)
	}
	if !strings.HasPrefix(dc.VerificationURI, g.URL+"/oauth/device") || hfgate.NormalizeUserCode(dc.UserCode) != dc.UserCode {
		t.Fatalf("device code %+v", dc)
	}
	done := make(chan struct{})
	var res *oidcauth.Result
	go func() {
		defer close(done)
		res, err = client.DeviceWait(t.Context(), dc)
	}()
	// The user opens the page, sees the code, approves.
	page := readAll(b.get("/oauth/device?user_code=" + url.QueryEscape(strings.ToLower(dc.UserCode))))
	if !strings.Contains(page, dc.UserCode) || !strings.Contains(page, `id="approve"`) {
		t.Fatalf("device page without the code or an approve button:\n%s", page)
	}
	resp := b.postForm("/oauth/device/decision", url.Values{"user_code": {dc.UserCode}, "decision": {"approve"}})
	if body := readAll(resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "approved") {
		t.Fatalf("approval: %d\n%s", resp.StatusCode, body)
	}
	<-done
	if err != nil {
		t.Fatalf("DeviceWait: %v", err)
	}
	return res
}

// TestDeviceSignIn: hfgate's OIDC client signs in to the gateway with a
// device code, learns who it is from userinfo, and its token works at
// whoami-v2, in the Hub's shape.
func TestDeviceSignIn(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		g := startGateway(t, sim, db.open(t), nil)
		b := newBrowser(t, g, "alice")
		b.signIn()
		for _, clientID := range []string{gateway.ClientHfgate, gateway.ClientHF} {
			res := deviceSignIn(t, g, b, clientID)
			if res.User.Username != "alice" || res.Token.RefreshToken == "" || !hfgate.IsTokenSecret(res.Token.AccessToken) {
				t.Fatalf("%s: result user %+v, refresh %v", clientID, res.User, res.Token.RefreshToken != "")
			}
			var who struct {
				Type, Name string
				Orgs       []struct{ Name, RoleInOrg string }
				Auth       struct{ Type, ExpiresAt string }
			}
			decode(t, bearerGet(t, g.URL+"/api/whoami-v2", res.Token.AccessToken), http.StatusOK, &who)
			if who.Type != "user" || who.Name != "alice" || len(who.Orgs) != 1 || who.Orgs[0].RoleInOrg != "write" ||
				who.Auth.Type != "app_token_as_user" || who.Auth.ExpiresAt == "" {
				t.Errorf("whoami-v2 = %+v", who)
			}
		}
		// Both sign-ins are listed on alice's account, as access tokens.
		if a := b.account(); len(a.Tokens) != 2 {
			t.Errorf("alice's account lists %d tokens, want the 2 device sign-ins", len(a.Tokens))
		}
	})
}

// tokenForm posts to the token endpoint and returns the status and body.
func tokenForm(t *testing.T, g *gw, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(g.URL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	decode(t, resp, resp.StatusCode, &body)
	return resp.StatusCode, body
}

// TestRefreshRotation: a refresh token works once and rotates; presented
// again it revokes the whole sign-in, the newest tokens too; other
// sign-ins stand.
func TestRefreshRotation(t *testing.T) {
	sim := startHubsim(t)
	forEachDB(t, func(t *testing.T, db database) {
		g := startGateway(t, sim, db.open(t), nil)
		b := newBrowser(t, g, "alice")
		b.signIn()
		first := deviceSignIn(t, g, b, gateway.ClientHfgate)
		other := deviceSignIn(t, g, b, gateway.ClientHfgate)

		refresh := func(tok string) (int, map[string]any) {
			return tokenForm(t, g, url.Values{"grant_type": {"refresh_token"}, "client_id": {gateway.ClientHfgate}, "refresh_token": {tok}})
		}
		status, body := refresh(first.Token.RefreshToken)
		if status != http.StatusOK || body["refresh_token"] == first.Token.RefreshToken || body["access_token"] == nil {
			t.Fatalf("refresh: %d %v", status, body)
		}
		rotatedAccess, rotatedRefresh := body["access_token"].(string), body["refresh_token"].(string)
		decode(t, bearerGet(t, g.URL+"/api/whoami-v2", rotatedAccess), http.StatusOK, nil)

		// The spent refresh token again: the sign-in is revoked.
		status, body = refresh(first.Token.RefreshToken)
		if status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Fatalf("reuse: %d %v", status, body)
		}
		for name, tok := range map[string]string{"first access": first.Token.AccessToken, "rotated access": rotatedAccess} {
			if resp := bearerGet(t, g.URL+"/api/whoami-v2", tok); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s token after a reuse: %d, want 401", name, resp.StatusCode)
			} else if resp.Header.Get("X-Error-Message") == "" {
				t.Errorf("%s token: 401 without X-Error-Message", name)
			}
		}
		if status, body := refresh(rotatedRefresh); status != http.StatusBadRequest || body["error"] != "invalid_grant" {
			t.Errorf("the rotated refresh token after a reuse: %d %v", status, body)
		}
		decode(t, bearerGet(t, g.URL+"/api/whoami-v2", other.Token.AccessToken), http.StatusOK, nil)
		if status, _ := refresh(other.Token.RefreshToken); status != http.StatusOK {
			t.Errorf("another sign-in's refresh after the reuse: %d", status)
		}
		// oauth2's own refresh path (as oidcauth.TokenSource uses it) speaks
		// the same protocol.
		conf := &oauth2.Config{ClientID: gateway.ClientHfgate, Endpoint: oauth2.Endpoint{TokenURL: g.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInParams}}
		third := deviceSignIn(t, g, b, gateway.ClientHfgate)
		tok, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: third.Token.RefreshToken, Expiry: time.Now().Add(-time.Minute)}).Token()
		if err != nil || !hfgate.IsTokenSecret(tok.AccessToken) {
			t.Errorf("oauth2 refresh: %v", err)
		}
	})
}
