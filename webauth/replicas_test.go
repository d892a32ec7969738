package webauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/webauth"
)

// TestSignInAcrossReplicas: with a Sealer, a sign-in begun on one replica
// completes on another that shares the keys (a load balancer need not be
// sticky); a replica with other keys, or one asked after AttemptTTL, refuses
// it; without a Sealer the pending sign-in stays with the replica that began it.
func TestSignInAcrossReplicas(t *testing.T) {
	hub := hubsimtest.Start(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	keys := func(id string) *keyset.Set {
		line, err := keyset.Generate(id)
		if err != nil {
			t.Fatal(err)
		}
		k, err := keyset.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	shared, other := keys("k1"), keys("k1")
	withKeys := func(k *keyset.Set) func(*webauth.Auth) {
		return func(a *webauth.Auth) { a.Sealer = k }
	}
	for _, tt := range []struct {
		name     string
		a, b     func(*webauth.Auth)
		late     bool // the callback comes after AttemptTTL
		wantDone bool
	}{
		{"shared keys", withKeys(shared), withKeys(shared), false, true},
		{"other keys", withKeys(shared), withKeys(other), false, false},
		{"shared keys, too late", withKeys(shared), withKeys(shared), true, false},
		{"no keys: the memory of the replica that began it", nil, nil, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := startSite(t, hub, tt.a), startSite(t, hub, tt.b)
			c := browser(t, true)
			// Follow the redirects from a's authorize route to the
			// provider's answer, a's callback URL.
			next := a.ts.URL + "/auth/oauth/authorize/huggingface?return_to=" + url.QueryEscape("/whoami")
			for !strings.HasPrefix(next, a.ts.URL+"/auth/oauth/callback/") {
				resp, err := c.Get(next)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				loc, err := resp.Location()
				if err != nil {
					t.Fatalf("GET %s: %s, no redirect", next, resp.Status)
				}
				next = loc.String()
			}
			if tt.late {
				b.clock.Advance(webauth.AttemptTTL + 1)
			}
			// The load balancer sends the callback to b. Cookies ignore
			// ports, so the browser sends a's attempt cookie along.
			resp, err := c.Get(b.ts.URL + strings.TrimPrefix(next, a.ts.URL))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			done := resp.StatusCode == http.StatusSeeOther && strings.HasSuffix(b.whoami(t, c), " alice")
			if done != tt.wantDone {
				t.Errorf("the callback at the other replica: %s, signed in %v; want signed in %v", resp.Status, done, tt.wantDone)
			}
		})
	}
}
