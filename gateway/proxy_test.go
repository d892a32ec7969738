package gateway_test

import (
	"net/http"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

// TestProxyHook: the paths the gateway does not serve itself go to
// Config.Proxy, with the caller in the context; without one they are 404
// in the Hub's shape.
func TestProxyHook(t *testing.T) {
	sim := startHubsim(t)
	store := sqliteDB(t).open(t)
	bare := startGateway(t, sim, store, nil)
	resp, err := http.Get(bare.URL + "/api/models/hubsim/tiny-llama-GGUF")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || resp.Header.Get("X-Error-Code") != hfgate.ENOTFOUND {
		t.Errorf("without a proxy: %d %q", resp.StatusCode, resp.Header.Get("X-Error-Code"))
	}

	var seen *hfgate.Principal
	g := startGateway(t, sim, store, func(c *gateway.Config) {
		c.Proxy = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			seen = hfgate.PrincipalFrom(r.Context())
			w.WriteHeader(http.StatusTeapot)
		})
	})
	b := newBrowser(t, g, "alice")
	b.signIn()
	tok := deviceSignIn(t, g, b, gateway.ClientHfgate).Token.AccessToken
	resp = bearerGet(t, g.URL+"/api/models/hubsim/tiny-llama-GGUF", tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTeapot || seen == nil || seen.Username != "alice" || seen.TokenID == "" {
		t.Errorf("the proxy got %d, principal %+v", resp.StatusCode, seen)
	}
	// A bad token never reaches the proxy.
	seen = nil
	resp = bearerGet(t, g.URL+"/api/models/x/y", "hf_"+"0123456789012345678901234567890123456789")
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || seen != nil {
		t.Errorf("a bad token: %d, proxy saw %+v", resp.StatusCode, seen)
	}
}
