package ciauth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/memstore"
)

// gw is the gateway's public URL: the audience tokens must carry.
const gw = "https://gw.example"

// acmeApp are the claims of a push to acme/app's main branch, as GitHub
// Actions writes them.
func acmeApp() map[string]string {
	return map[string]string{"repository": "acme/app", "repository_id": "42", "repository_owner": "acme",
		"repository_owner_id": "7", "ref": "refs/heads/main", "ref_type": "branch", "workflow": "ci",
		"job_workflow_ref": "acme/app/.github/workflows/ci.yml@refs/heads/main", "event_name": "push",
		"actor": "alice", "runner_environment": "github-hosted"}
}

// with returns acmeApp changed by kv pairs.
func with(kv ...string) map[string]string {
	c := acmeApp()
	for i := 0; i+1 < len(kv); i += 2 {
		c[kv[i]] = kv[i+1]
	}
	return c
}

// setup returns a Verifier that trusts hubsim's CI issuer (rule
// acme-app-main) and a test issuer of its own (rule test-app, 30 minutes).
func setup(t *testing.T, change func(*ciauth.Config)) (*ciauth.Verifier, *hubsim.Server, *issuer) {
	t.Helper()
	sim := hubsimtest.Start(t, hubsim.Options{})
	is := newIssuer(t)
	cfg := ciauth.Config{
		Issuers: []ciauth.Issuer{{Name: "hubsim", URL: sim.CIIssuer()}, {Name: "test", URL: is.URL}},
		Rules: []ciauth.Rule{
			{Name: "acme-app-main", Issuer: "hubsim", Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}},
			{Name: "test-app", Issuer: "test", Claims: map[string]string{"repository_id": "42"}, TTL: 30 * time.Minute},
		},
		Audience: gw, JTIs: &memstore.Store{}, Now: sim.Now,
	}
	if change != nil {
		change(&cfg)
	}
	v, err := ciauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v, sim, is
}

// refusedFor fails unless err refuses the token for reason with code.
func refusedFor(t *testing.T, err error, code, reason string) *ciauth.Refusal {
	t.Helper()
	var r *ciauth.Refusal
	if !errors.As(err, &r) || r.Reason != reason || hfgate.ErrorCode(err) != code {
		t.Fatalf("Verify: %v, want %s refusal %q", err, code, reason)
	}
	return r
}

// TestVerify: a job of hubsim's CI issuer whose claims match is accepted
// once, becomes a CI principal with its claims, and is refused when
// presented again or after it expired.
func TestVerify(t *testing.T) {
	v, sim, _ := setup(t, nil)
	raw := hubsimtest.CIToken(t, sim, acmeApp(), gw)
	job, err := v.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if job.Rule.Name != "acme-app-main" || job.Issuer.Name != "hubsim" || job.TTL() != ciauth.DefaultTTL || job.JTI == "" {
		t.Errorf("job = %+v", job)
	}
	if got := job.Matched(); len(got) != 3 || got["repository_id"] != "42" || got["ref"] != "refs/heads/main" {
		t.Errorf("Matched = %v", got)
	}
	p := job.Principal()
	if p.Kind != hfgate.PrincipalCI || p.Subject != "hubsim:repo:acme/app:ref:refs/heads/main" || p.Provider != "hubsim" ||
		p.Name != "acme-app-main" || p.Claims["job_workflow_ref"] != "acme/app/.github/workflows/ci.yml@refs/heads/main" ||
		p.Claims["iss"] != sim.CIIssuer() {
		t.Errorf("principal = %+v", p)
	}
	for _, k := range []string{"aud", "exp", "iat", "nbf", "jti"} {
		if _, ok := p.Claims[k]; ok {
			t.Errorf("the principal keeps the per-token claim %s", k)
		}
	}
	if d := job.Expires.Sub(sim.Now()); d <= 0 || d > hubsim.CIIDTokenTTL {
		t.Errorf("Expires in %v", d)
	}

	_, err = v.Verify(t.Context(), raw)
	refusedFor(t, err, hfgate.EUNAUTHORIZED, ciauth.ReasonReplayed)

	stale := hubsimtest.CIToken(t, sim, acmeApp(), gw)
	sim.Advance(hubsim.CIIDTokenTTL + ciauth.DefaultLeeway + time.Second)
	_, err = v.Verify(t.Context(), stale)
	refusedFor(t, err, hfgate.EUNAUTHORIZED, ciauth.ReasonExpired)
}

// TestVerifySkew: a token a little past its expiry, or a little early,
// passes within the leeway.
func TestVerifySkew(t *testing.T) {
	v, sim, _ := setup(t, nil)
	raw := hubsimtest.CIToken(t, sim, acmeApp(), gw)
	sim.Advance(hubsim.CIIDTokenTTL + ciauth.DefaultLeeway - time.Second)
	if _, err := v.Verify(t.Context(), raw); err != nil {
		t.Errorf("within the leeway after exp: %v", err)
	}
}

// TestRefused: each way a token can be wrong is refused with its reason,
// and only a token whose signature held brings its claims along.
func TestRefused(t *testing.T) {
	v, sim, is := setup(t, nil)
	now := sim.Now()
	claims := func(change func(map[string]any)) map[string]any {
		c := is.claims(gw, now)
		if change != nil {
			change(c)
		}
		return c
	}
	genuine := hubsimtest.CIToken(t, sim, acmeApp(), gw)
	head, payload, sig := split(genuine)
	is.addKey("unpublished", jose.RS256)
	is.mu.Lock()
	is.published = is.published[:1] // the attacker's key is not in the set
	is.mu.Unlock()
	stranger := newIssuer(t)

	for _, tt := range []struct {
		name   string
		raw    string
		code   string
		reason string
	}{
		{"wrong audience", hubsimtest.CIToken(t, sim, acmeApp(), "https://other.example"), hfgate.EUNAUTHORIZED, ciauth.ReasonAudience},
		{"audience with a trailing slash", hubsimtest.CIToken(t, sim, acmeApp(), gw+"/"), hfgate.EUNAUTHORIZED, ciauth.ReasonAudience},
		{"audience of another service too", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["aud"] = []string{gw, "sts.amazonaws.com"} })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonAudience},
		{"untrusted issuer", stranger.sign("rsa-1", jose.RS256, stranger.claims(gw, now)), hfgate.EUNAUTHORIZED, ciauth.ReasonIssuer},
		{"issuer differing by a slash", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["iss"] = is.URL + "/" })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonIssuer},
		{"claims that match no rule", hubsimtest.CIToken(t, sim, with("repository_id", "43"), gw), hfgate.EFORBIDDEN, ciauth.ReasonClaims},
		{"another branch", hubsimtest.CIToken(t, sim, with("ref", "refs/heads/dev"), gw), hfgate.EFORBIDDEN, ciauth.ReasonClaims},
		{"a claim whose value only starts right", hubsimtest.CIToken(t, sim, with("ref", "refs/heads/main-evil"), gw), hfgate.EFORBIDDEN, ciauth.ReasonClaims},
		{"a payload changed after signing", head + "." + reencode(t, payload, "repository_id", "43") + "." + sig, hfgate.EUNAUTHORIZED, ciauth.ReasonSignature},
		{"signed by a key the issuer does not publish, under its kid", resign(t, is, genuine), hfgate.EUNAUTHORIZED, ciauth.ReasonSignature},
		{"a kid the issuer does not have", is.sign("unpublished", jose.RS256, claims(nil)), hfgate.EUNAUTHORIZED, ciauth.ReasonSignature},
		{"alg none", unsigned(map[string]any{"alg": "none", "typ": "JWT"}, claims(nil), ""), hfgate.EUNAUTHORIZED, ciauth.ReasonAlgorithm},
		{"alg None", unsigned(map[string]any{"alg": "None"}, claims(nil), ""), hfgate.EUNAUTHORIZED, ciauth.ReasonAlgorithm},
		{"HS256 keyed with the public key", hmacWithPublicKey(t, is, claims(nil)), hfgate.EUNAUTHORIZED, ciauth.ReasonAlgorithm},
		{"an alg that is not a string", unsigned(map[string]any{"alg": 256}, claims(nil), "x"), hfgate.EUNAUTHORIZED, ciauth.ReasonAlgorithm},
		{"no alg", unsigned(map[string]any{"kid": "rsa-1"}, claims(nil), "x"), hfgate.EUNAUTHORIZED, ciauth.ReasonMalformed},
		{"not a JWT", "hello", hfgate.EUNAUTHORIZED, ciauth.ReasonMalformed},
		{"too big", strings.Repeat("a", ciauth.MaxTokenSize+1), hfgate.EUNAUTHORIZED, ciauth.ReasonMalformed},
		{"expired", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["exp"] = now.Add(-2 * time.Minute).Unix() })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonExpired},
		{"no expiry", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { delete(c, "exp") })), hfgate.EUNAUTHORIZED, ciauth.ReasonLifetime},
		{"a lifetime of weeks", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["exp"] = now.Add(30 * 24 * time.Hour).Unix() })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonLifetime},
		{"not valid yet", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["nbf"] = now.Add(3 * time.Minute).Unix() })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonNotYet},
		{"issued in the future", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { c["iat"] = now.Add(3 * time.Minute).Unix() })),
			hfgate.EUNAUTHORIZED, ciauth.ReasonNotYet},
		{"no jti", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { delete(c, "jti") })), hfgate.EUNAUTHORIZED, ciauth.ReasonIncomplete},
		{"no sub", is.sign("rsa-1", jose.RS256, claims(func(c map[string]any) { delete(c, "sub") })), hfgate.EUNAUTHORIZED, ciauth.ReasonIncomplete},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.raw)
			r := refusedFor(t, err, tt.code, tt.reason)
			signed := tt.reason != ciauth.ReasonSignature && tt.reason != ciauth.ReasonAlgorithm &&
				tt.reason != ciauth.ReasonMalformed && tt.reason != ciauth.ReasonIssuer
			if (r.Claims != nil) != signed {
				t.Errorf("refusal claims %v: want them only for a token whose signature held", r.Claims)
			}
			if msg := hfgate.ErrorMessage(err); strings.ContainsAny(msg, "\r\n") || msg == "" {
				t.Errorf("message %q", msg)
			}
		})
	}
}

// TestNumbersAndES256: an ES256 token whose ids are JSON numbers matches a
// rule that names them as strings, and its rule's TTL holds.
func TestNumbersAndES256(t *testing.T) {
	v, sim, is := setup(t, nil)
	is.addKey("ec-1", jose.ES256)
	c := is.claims(gw, sim.Now())
	c["repository_id"], c["fork"] = 42, false
	job, err := v.Verify(t.Context(), is.sign("ec-1", jose.ES256, c))
	if err != nil {
		t.Fatal(err)
	}
	if job.Rule.Name != "test-app" || job.TTL() != 30*time.Minute || job.Claims["repository_id"] != "42" || job.Claims["fork"] != "false" {
		t.Errorf("job = %+v", job)
	}
}
