package ciauth_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// startGateway runs a gateway that trusts sim's CI issuer for acme/app
// on main when trust, and returns its URL.
func startGateway(t *testing.T, sim *hubsim.Server, trust bool) string {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gw.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	w, err := audit.Open(t.Context(), store, audit.Config{Replica: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := gateway.Config{PublicURL: "http://" + ln.Addr().String(), Store: store, Hub: sim.URL(), Proxy: proxy.Config{Audit: w}}
	if trust {
		cfg.CI = gateway.CI{Issuers: []ciauth.Issuer{{Name: "hubsim-ci", URL: sim.CIIssuer()}},
			Rules: []ciauth.Rule{{Name: "acme-app-main", Issuer: "hubsim-ci", Claims: map[string]string{"repository_id": "42", "ref": "refs/heads/main"}}}}
	}
	g, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: g.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); g.Close() })
	return cfg.PublicURL
}

// TestClient: a job gets its ID token the GitHub way and exchanges it at
// a gateway; refusals come back as errors of the right code.
func TestClient(t *testing.T) {
	_, sim, _ := setup(t, nil)
	gw := startGateway(t, sim, true)
	ctx := t.Context()
	idToken := func(claims map[string]string) string {
		t.Helper()
		reqURL, reqToken, err := sim.StartCIJob(claims)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := ciauth.GitHubIDToken(ctx, nil, reqURL, reqToken, gw)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	got, err := ciauth.Exchange(ctx, nil, gw+"/", idToken(acmeApp()), "")
	if err != nil || !hfgate.IsTokenSecret(got.AccessToken) || got.ExpiresIn != 900 || got.IssuedTokenType != ciauth.TokenTypeAccess {
		t.Fatalf("Exchange = %+v, %v", got, err)
	}

	reqURL, _, _ := sim.StartCIJob(acmeApp())
	if _, err := ciauth.GitHubIDToken(ctx, nil, reqURL, "wrong", gw); hfgate.ErrorCode(err) != hfgate.EUNAUTHORIZED {
		t.Errorf("a wrong request token: %v, want EUNAUTHORIZED", err)
	}
	for _, tt := range []struct {
		name, endpoint, idToken, resource, code string
	}{
		{"claims no rule trusts", gw, idToken(with("ref", "refs/heads/dev")), "", hfgate.EFORBIDDEN},
		{"not a token", gw, "x.y.z", "", hfgate.EUNAUTHORIZED},
		{"a resource that is no repo", gw, idToken(acmeApp()), "acme", hfgate.EFORBIDDEN},
		{"no token exchange offered", startGateway(t, sim, false), idToken(acmeApp()), "", hfgate.EINVALID},
		{"nothing listening", "http://127.0.0.1:1", "x", "", hfgate.EUNAVAILABLE},
		{"a redirect is not followed", redirector(t, gw), idToken(acmeApp()), "", hfgate.EUNAVAILABLE},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ciauth.Exchange(context.Background(), nil, tt.endpoint, tt.idToken, tt.resource)
			if hfgate.ErrorCode(err) != tt.code {
				t.Errorf("Exchange: %v, want %s", err, tt.code)
			}
		})
	}
}

// redirector answers every request with a redirect to target.
func redirector(t *testing.T, target string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
