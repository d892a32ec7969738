package hubsim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// startJob starts a CI job over HTTP, as a test in another process would.
func startJob(tb testing.TB, s *Server, claims string) (requestURL, requestToken string) {
	tb.Helper()
	resp, body := postJSON(tb, s.URL()+"/_hubsim/ci/jobs", claims)
	var out struct {
		RequestURL   string `json:"request_url"`
		RequestToken string `json:"request_token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || resp.StatusCode != 200 {
		tb.Fatalf("jobs: %d %s", resp.StatusCode, body)
	}
	return out.RequestURL, out.RequestToken
}

// ciToken gets an ID token the way GitHub's toolkit does: GET
// request_url&audience=AUD with the bearer request token.
func ciToken(tb testing.TB, requestURL, requestToken, audience string) (int, string) {
	tb.Helper()
	resp, body := do(tb, "GET", requestURL+"&audience="+audience, requestToken)
	var v struct{ Value string }
	json.Unmarshal(body, &v)
	return resp.StatusCode, v.Value
}

// TestCIProvider checks the simulated GitHub Actions token service with a
// verifier no one here wrote (go-oidc): discovery, JWKS, signature, iss,
// aud, a 5-minute lifetime, a fresh jti, and sub built as GitHub builds it.
func TestCIProvider(t *testing.T) {
	s := startTest(t, Options{})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, s.CIIssuer())
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://gateway.example"
	verifier := provider.Verifier(&oidc.Config{ClientID: aud, Now: s.Now})
	u, tok := startJob(t, s, `{"repository":"acme/app","repository_id":42,"repository_owner":"acme","repository_owner_id":"7",
		"ref":"refs/heads/main","ref_type":"branch","workflow":"ci","job_workflow_ref":"acme/app/.github/workflows/ci.yml@refs/heads/main",
		"event_name":"push","actor":"alice","runner_environment":"github-hosted"}`)
	if !strings.HasPrefix(u, s.CIIssuer()+"/token?") {
		t.Errorf("request_url %q: want a URL with a query, to append &audience=", u)
	}
	status, raw := ciToken(t, u, tok, aud)
	if status != 200 {
		t.Fatalf("token: %d", status)
	}
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	var c map[string]any
	idt.Claims(&c)
	if c["sub"] != "repo:acme/app:ref:refs/heads/main" || c["repository_id"] != "42" || c["repository_owner_id"] != "7" ||
		c["job_workflow_ref"] != "acme/app/.github/workflows/ci.yml@refs/heads/main" || c["jti"] == "" {
		t.Errorf("claims %v", c)
	}
	if d := idt.Expiry.Sub(idt.IssuedAt); d != 5*time.Minute {
		t.Errorf("lifetime %v, want 5m", d)
	}
	_, again := ciToken(t, u, tok, aud)
	var c2 map[string]any
	if idt2, err := verifier.Verify(ctx, again); err != nil || idt2.Claims(&c2) != nil || c2["jti"] == c["jti"] {
		t.Errorf("a second token: %v, jti %v (first %v); want a fresh jti", err, c2["jti"], c["jti"])
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "https://other.example", Now: s.Now}).Verify(ctx, raw); err == nil {
		t.Error("the token verified for another audience")
	}
	s.Advance(6 * time.Minute)
	if _, err := verifier.Verify(ctx, raw); err == nil {
		t.Error("the token verified after 6 minutes")
	}

	for _, tt := range []struct{ claims, sub string }{
		{`{"repository":"acme/app","environment":"prod","ref":"refs/heads/main"}`, "repo:acme/app:environment:prod"},
		{`{"repository":"acme/app","event_name":"pull_request","ref":"refs/pull/3/merge"}`, "repo:acme/app:pull_request"},
		{`{"repository":"acme/app","ref":"refs/tags/v1"}`, "repo:acme/app:ref:refs/tags/v1"},
		{`{"repository":"acme/app","sub":"repo:acme@7/app@42:ref:refs/heads/main"}`, "repo:acme@7/app@42:ref:refs/heads/main"},
	} {
		u, tok := startJob(t, s, tt.claims)
		_, raw := ciToken(t, u, tok, aud)
		idt, err := verifier.Verify(ctx, raw)
		if err != nil || idt.Subject != tt.sub {
			t.Errorf("%s: sub %v (%v), want %q", tt.claims, idt, err, tt.sub)
		}
	}

	if status, _ := ciToken(t, u, "wrong", aud); status != http.StatusUnauthorized {
		t.Errorf("a wrong request token: %d, want 401", status)
	}
	for _, bad := range []string{`{"iss":"https://evil"}`, `{"repository":{"nested":1}}`, `not json`} {
		if resp, _ := postJSON(t, s.URL()+"/_hubsim/ci/jobs", bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("jobs %s: %d, want 400", bad, resp.StatusCode)
		}
	}
}
