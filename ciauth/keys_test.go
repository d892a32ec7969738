package ciauth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/memstore"
)

// TestKeyRotation: a token signed by a key the issuer published after the
// keys were fetched is accepted (the set is fetched again for its kid),
// and a flood of made-up kids fetches the set at most once per
// RefetchInterval.
func TestKeyRotation(t *testing.T) {
	v, sim, is := setup(t, nil)
	ok := func(kid string) {
		t.Helper()
		if _, err := v.Verify(t.Context(), is.sign(kid, jose.RS256, is.claims(gw, sim.Now()))); err != nil {
			t.Fatalf("a token of key %s: %v", kid, err)
		}
	}
	ok("rsa-1")
	if n := is.jwks.Load(); n != 1 {
		t.Fatalf("key set fetched %d times for the first token, want 1", n)
	}
	ok("rsa-1")
	is.addKey("rsa-2", jose.RS256)
	sim.Advance(ciauth.RefetchInterval)
	ok("rsa-2")
	if n := is.jwks.Load(); n != 2 {
		t.Fatalf("key set fetched %d times after a new key, want 2", n)
	}

	is.addKey("rogue", jose.RS256) // signs, but...
	is.mu.Lock()
	is.published = is.published[:2] // ...is never published
	is.mu.Unlock()
	sim.Advance(ciauth.RefetchInterval)
	for range 20 {
		_, err := v.Verify(t.Context(), is.sign("rogue", jose.RS256, is.claims(gw, sim.Now())))
		refusedFor(t, err, hfgate.EUNAUTHORIZED, ciauth.ReasonSignature)
	}
	if n := is.jwks.Load(); n != 3 {
		t.Errorf("key set fetched %d times for 20 tokens of an unknown key, want 3 (once more)", n)
	}

	sim.Advance(ciauth.KeysTTL)
	ok("rsa-2")
	if n := is.jwks.Load(); n != 4 {
		t.Errorf("key set fetched %d times once stale, want 4", n)
	}
}

// TestIssuerUnavailable: an issuer whose keys cannot be fetched makes the
// exchange unavailable for now (not a refusal of the token), and once
// keys are known a failed refresh keeps using them.
func TestIssuerUnavailable(t *testing.T) {
	v, sim, is := setup(t, nil)
	is.mu.Lock()
	is.broken = true
	is.mu.Unlock()
	_, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now())))
	var r *ciauth.Refusal
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || errors.As(err, &r) {
		t.Fatalf("keys down: %v, want EUNAVAILABLE without a refusal", err)
	}
	if strings.Contains(hfgate.ErrorMessage(err), "500") {
		t.Errorf("message %q shows the issuer's answer", hfgate.ErrorMessage(err))
	}
	// A flood of tokens while it is down asks it once per RefetchInterval.
	before := is.jwks.Load()
	for range 20 {
		if _, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now()))); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
			t.Fatalf("keys still down: %v, want EUNAVAILABLE", err)
		}
	}
	if n := is.jwks.Load() - before; n != 0 {
		t.Errorf("20 tokens within RefetchInterval of a failed fetch fetched the key set %d times, want 0", n)
	}
	is.mu.Lock()
	is.broken = false
	is.mu.Unlock()
	sim.Advance(ciauth.RefetchInterval)
	if _, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now()))); err != nil {
		t.Fatalf("keys back: %v", err)
	}
	is.mu.Lock()
	is.broken = true
	is.mu.Unlock()
	sim.Advance(ciauth.KeysTTL + time.Minute)
	if _, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now()))); err != nil {
		t.Errorf("stale keys and the issuer down: %v, want the known key used", err)
	}
}

// TestDiscovery: a discovery document that names another issuer, or a key
// set over plain http to another host, is not used; a configured key set
// address skips discovery.
func TestDiscovery(t *testing.T) {
	for _, tt := range []struct {
		name string
		doc  func(is *issuer) map[string]any
	}{
		{"another issuer", func(is *issuer) map[string]any {
			return map[string]any{"issuer": "https://evil.example", "jwks_uri": is.URL + "/keys"}
		}},
		{"plain http elsewhere", func(is *issuer) map[string]any {
			return map[string]any{"issuer": is.URL, "jwks_uri": "http://keys.example/keys"}
		}},
		{"no key set", func(is *issuer) map[string]any { return map[string]any{"issuer": is.URL} }},
		{"a key set of megabytes", func(is *issuer) map[string]any { return map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/huge"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, sim, is := setup(t, nil)
			is.mu.Lock()
			is.discovery = tt.doc(is)
			is.mu.Unlock()
			_, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now())))
			if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
				t.Fatalf("Verify: %v, want EUNAVAILABLE", err)
			}
		})
	}
	t.Run("configured key set", func(t *testing.T) {
		_, sim, is := setup(t, nil)
		is.mu.Lock()
		is.discovery = map[string]any{"issuer": "https://evil.example"}
		is.mu.Unlock()
		v, err := ciauth.New(ciauth.Config{Issuers: []ciauth.Issuer{{Name: "test", URL: is.URL, JWKSURL: is.URL + "/keys"}},
			Rules:    []ciauth.Rule{{Name: "r", Issuer: "test", Claims: map[string]string{"repository_id": "42"}}},
			Audience: gw, JTIs: &memstore.Store{}, Now: sim.Now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(t.Context(), is.sign("rsa-1", jose.RS256, is.claims(gw, sim.Now()))); err != nil {
			t.Errorf("with the key set's address configured: %v", err)
		}
	})
}
