package oidcauth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestValidate(t *testing.T) {
	valid := HuggingFace("")
	valid.ClientID = "app"
	if err := valid.Validate(); err != nil {
		t.Fatalf("Validate(HuggingFace preset) = %v", err)
	}
	for _, tt := range []struct {
		name string
		edit func(*Config)
		part string
	}{
		{"no issuer", func(c *Config) { c.Issuer = "" }, "no OpenID Connect issuer"},
		{"http issuer off loopback", func(c *Config) { c.Issuer = "http://huggingface.co" }, "must be https"},
		{"relative issuer", func(c *Config) { c.Issuer = "huggingface.co" }, "not an absolute URL"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "no OAuth client id"},
		{"no openid scope", func(c *Config) { c.Scopes = []string{"profile"} }, `include "openid"`},
		{"negative skew", func(c *Config) { c.ClockSkew = -1 }, "must not be negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			cfg.Scopes = slices.Clone(valid.Scopes)
			tt.edit(&cfg)
			wantError(t, &fakeProvider{}, cfg.Validate(), hfgate.EINVALID, tt.part)
		})
	}
	for _, issuer := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"} {
		cfg := valid
		cfg.Issuer = issuer
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate(issuer %s) = %v, want nil (loopback http is allowed)", issuer, err)
		}
	}
}

func TestHuggingFacePreset(t *testing.T) {
	cfg := HuggingFace("http://127.0.0.1:9000/")
	if cfg.Issuer != "http://127.0.0.1:9000" || cfg.DeviceAuthURL != "http://127.0.0.1:9000/oauth/device" {
		t.Errorf("preset = %+v", cfg)
	}
	if got := HuggingFace("").Issuer; got != "https://huggingface.co" {
		t.Errorf("default issuer = %q", got)
	}
	a, b := HuggingFaceScopes(), HuggingFaceScopes()
	a[0] = "changed"
	if b[0] != "openid" {
		t.Error("HuggingFaceScopes shares its slice")
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		discovery map[string]any
		code      string
		part      string
	}{
		{"issuer mismatch", map[string]any{"issuer": "https://other.example"}, hfgate.EINVALID, `says its issuer is "https://other.example"`},
		{"plain PKCE only", map[string]any{"code_challenge_methods_supported": []string{"plain"}}, hfgate.EINVALID, "does not support PKCE with S256"},
		{"symmetric signing only", map[string]any{"id_token_signing_alg_values_supported": []string{"HS256", "none"}}, hfgate.EINVALID, "signs ID tokens only with"},
		{"no token endpoint", map[string]any{"token_endpoint": nil}, hfgate.EINVALID, "no token_endpoint"},
		{"http endpoint off loopback", map[string]any{"token_endpoint": "http://example.com/token"}, hfgate.EINVALID, "must be https"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.discovery = tt.discovery
			_, err := Open(context.Background(), p.config())
			wantError(t, p, err, tt.code, tt.part)
		})
	}

	t.Run("no PKCE methods listed", func(t *testing.T) {
		p := newProvider(t)
		p.discovery = map[string]any{"code_challenge_methods_supported": nil, "id_token_signing_alg_values_supported": nil}
		c := mustOpen(t, p, nil)
		if _, err := signIn(t, p, c); err != nil {
			t.Fatalf("sign-in: %v", err)
		}
	})

	for _, tt := range []struct {
		status int
		code   string
	}{
		{http.StatusNotFound, hfgate.EINVALID},
		{http.StatusServiceUnavailable, hfgate.EUNAVAILABLE},
	} {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "<html>a long error page</html>", tt.status)
			}))
			defer srv.Close()
			cfg := HuggingFace(srv.URL)
			cfg.ClientID = "app"
			_, err := Open(context.Background(), cfg)
			wantError(t, &fakeProvider{}, err, tt.code, "HTTP "+strconv.Itoa(tt.status))
			if got := err.Error(); strings.Contains(got, "long error page") {
				t.Errorf("error %q carries the response body", got)
			}
		})
	}

	t.Run("unreachable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close() // nothing listens there now
		cfg := HuggingFace(srv.URL)
		cfg.ClientID = "app"
		_, err := Open(context.Background(), cfg)
		wantError(t, &fakeProvider{}, err, hfgate.EUNAVAILABLE, "cannot reach")
	})
}
