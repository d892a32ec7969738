package oidcauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hfgate/hfgate"
)

// TestIDTokenRejected forges ID tokens at the provider and checks that each
// one stops the sign-in with a clear error.
func TestIDTokenRejected(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		edit  func(claims map[string]any)
		mint  func(p *fakeProvider, claims map[string]any) string
		parts []string // in err.Error()
		msg   string   // in the message shown to the user
	}{
		{name: "wrong audience", edit: func(c map[string]any) { c["aud"] = "another-app" },
			parts: []string{"audience", "another-app"}, msg: "issued to another app"},
		{name: "wrong issuer", edit: func(c map[string]any) { c["iss"] = "https://evil.example" },
			parts: []string{"different provider", "https://evil.example"}, msg: "issued by another provider"},
		{name: "expired", edit: func(c map[string]any) {
			now := time.Unix(c["iat"].(int64), 0)
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-DefaultClockSkew-time.Second).Unix()
		}, parts: []string{"expired"}, msg: "it has expired"},
		{name: "bad signature (other key)", mint: func(_ *fakeProvider, c map[string]any) string {
			return signJWT(jose.RS256, otherKey, "k1", c)
		}, parts: []string{"signature"}, msg: "signature does not match"},
		{name: "alg none", mint: func(_ *fakeProvider, c map[string]any) string {
			return unsignedJWT(c)
		}, parts: []string{`"none"`}, msg: `not signed (alg "none")`},
		{name: "HS256 keyed with the RSA public key", mint: func(p *fakeProvider, c map[string]any) string {
			der, err := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
			if err != nil {
				t.Fatal(err)
			}
			secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
			return signJWT(jose.HS256, secret, "k1", c)
		}, parts: []string{"HS256"}, msg: "signed with HS256, which hfgate does not accept"},
		{name: "ES256 not advertised", mint: func(_ *fakeProvider, c map[string]any) string {
			return signJWT(jose.ES256, ecKey, "k1", c)
		}, parts: []string{"ES256"}, msg: "signed with ES256"},
		{name: "missing nonce", edit: func(c map[string]any) { delete(c, "nonce") },
			parts: []string{"no nonce"}, msg: "carries no nonce"},
		{name: "wrong nonce", edit: func(c map[string]any) { c["nonce"] = "replayed-nonce" },
			parts: []string{"nonce does not match"}, msg: "nonce does not match this sign-in"},
		{name: "wrong at_hash", edit: func(c map[string]any) { c["at_hash"] = "AAAAAAAAAAAAAAAAAAAAAA" },
			parts: []string{"access token hash"}, msg: "at_hash mismatch"},
		{name: "userinfo subject differs", edit: func(c map[string]any) { c["sub"] = "not-alice" },
			parts: []string{"another user"}, msg: "another user"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.editClaims = tt.edit
			if tt.mint != nil {
				p.mint = func(c map[string]any) string { return tt.mint(p, c) }
			}
			c := mustOpen(t, p, nil)
			r, err := signIn(t, p, c)
			if r != nil {
				t.Errorf("Result = %+v, want nil", r)
			}
			wantError(t, p, err, hfgate.EUNAUTHORIZED, tt.parts...)
			if got := hfgate.ErrorMessage(err); !strings.Contains(got, tt.msg) {
				t.Errorf("message %q, want it to say %q", got, tt.msg)
			}
		})
	}
}

func TestIDTokenAccepted(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(claims map[string]any)
	}{
		{"expired within the clock skew", func(c map[string]any) {
			c["exp"] = time.Unix(c["iat"].(int64), 0).Add(-DefaultClockSkew / 2).Unix()
		}},
		{"audience list with our client", func(c map[string]any) { c["aud"] = []string{"other", "app"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t)
			p.editClaims = tt.edit
			c := mustOpen(t, p, nil)
			if _, err := signIn(t, p, c); err != nil {
				t.Fatalf("sign-in: %v", err)
			}
		})
	}
}

// unsignedJWT builds an "alg":"none" token by hand: no library makes one.
func unsignedJWT(claims map[string]any) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(claims)
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "."
}

// TestIDTokenHMACNeverAccepted: a provider that advertises HS256 still
// cannot have an HMAC token accepted, since anyone holding its public key
// could forge one.
func TestIDTokenHMACNeverAccepted(t *testing.T) {
	p := newProvider(t)
	p.discovery = map[string]any{"id_token_signing_alg_values_supported": []string{"RS256", "HS256"}}
	p.mint = func(c map[string]any) string {
		der, err := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return signJWT(jose.HS256, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), "k1", c)
	}
	c := mustOpen(t, p, nil)
	_, err := signIn(t, p, c)
	wantError(t, p, err, hfgate.EUNAUTHORIZED, "HS256")
}
