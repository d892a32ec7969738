package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/policy"
)

// The demo policy as the README and testdata write it in TOML is exactly
// policy.Demo.
func TestGatewayConfigDemoPolicy(t *testing.T) {
	cfg, err := loadGatewayConfig(filepath.Join("testdata", "gateway-demo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.policy(), policy.Demo(); !reflect.DeepEqual(got, want) {
		t.Fatalf("testdata/gateway-demo.toml decodes to\n%+v\nwant policy.Demo()\n%+v", got, want)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	toml, err := os.ReadFile(filepath.Join("testdata", "gateway-demo.toml"))
	if err != nil {
		t.Fatal(err)
	}
	_, rules, _ := strings.Cut(string(toml), "\n\n") // after the comment
	if !strings.Contains(string(readme), rules) {
		t.Errorf("README.md does not show the demo policy of testdata/gateway-demo.toml:\n%s", rules)
	}
}

// ciIssuer is a [[ci.issuer]] table of GitHub Actions.
const ciIssuer = "[[ci.issuer]]\nname = \"github\"\nurl = \"https://token.actions.githubusercontent.com\"\n"

// TestGatewayConfigCI: [[ci.issuer]] and [[ci.trust]] tables decode into
// the gateway's CI trust.
func TestGatewayConfigCI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gateway.toml")
	content := ciIssuer + `jwks_url = "https://token.actions.githubusercontent.com/.well-known/jwks"

[[ci.trust]]
name = "acme-app-main"
issuer = "github"
claims = { repository_id = "42", repository_owner_id = "7", ref = "refs/heads/main" }
ttl = "30m"
`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadGatewayConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	want := gateway.CI{
		Issuers: []ciauth.Issuer{{Name: "github", URL: "https://token.actions.githubusercontent.com",
			JWKSURL: "https://token.actions.githubusercontent.com/.well-known/jwks"}},
		Rules: []ciauth.Rule{{Name: "acme-app-main", Issuer: "github", TTL: 30 * time.Minute,
			Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}}},
	}
	if got := cfg.CI.gateway(); !reflect.DeepEqual(got, want) {
		t.Errorf("[ci] decodes to %+v, want %+v", got, want)
	}
}

// A broken gateway config file is one EINVALID error that lists every
// problem with its line.
func TestGatewayConfigErrors(t *testing.T) {
	const rule = "[[policy.rule]]\nname = \"r\"\neffect = \"allow\"\nactions = [\"read\"]\nrepos = [\"*\"]\nsubjects = [{ anyone = true }]\n"
	for _, tt := range []struct {
		name, content string
		want          []string
	}{
		{"syntax", "[[policy.rule]\n", []string{", line 2: expected end of table array name delimiter"}},
		{"wrong type", "[[policy.rule]]\nactions = \"read\"\n", []string{`line 2 (last key "policy.rule.actions"): incompatible types`}},
		{"unknown key", rule + "subjects_x = 1\n", []string{"line 7: unknown key policy.rule.subjects_x"}},
		{"unknown inline key", strings.Replace(rule, "anyone = true", "anyone = true, min_rol = \"x\"", 1),
			[]string{"line 6: unknown key policy.rule.subjects.min_rol"}},
		{"unknown table", rule + "\n[bogus]\nx = 1\n", []string{"line 8: unknown key bogus"}},
		{"unknown key on two lines has no line", rule + "oops = 1\n" + rule + "oops = 2\n",
			[]string{"unknown key policy.rule.oops;"}},
		{"rule problems on their lines", rule + "\n" + strings.NewReplacer(`"allow"`, `"permit"`, `["read"]`, `["read", "write"]`, `["*"]`, `["Qwen"]`).Replace(rule),
			[]string{`line 9: rule "r": rule 1 has the same name`, `line 10: rule "r": effect "permit" is neither allow nor deny`,
				`line 11: rule "r": unknown action "write"`, `line 12: rule "r": repo pattern "Qwen" names no owner`}},
		{"a missing field is on the rule's line", "# rules\n[[policy.rule]]\nname = \"r\"\n", []string{`line 2: rule "r": has no effect`}},
		{"replica", "[server]\nreplica = \"gw 1\"\n", []string{`[server] replica: "gw 1" is not a replica id`}},
		{"userinfo refresh", "[hub]\nuserinfo_refresh = \"often\"\n", []string{`"often" is not a duration`}},
		{"inline arrays have no lines", "[policy]\nrule = [{ name = \"r\", effect = \"x\" }]\n", []string{`: rule "r": effect "x" is neither`}},
		{"a CI trust rule without claims", ciIssuer + "[[ci.trust]]\nname = \"acme\"\nissuer = \"github\"\n",
			[]string{"[ci]: CI trust rule acme names no claims, so it would trust every job of github"}},
		{"a CI trust rule of an unknown issuer", "[[ci.trust]]\nname = \"acme\"\nissuer = \"gitlab\"\nclaims = { project_id = \"1\" }\n",
			[]string{`[ci]: CI trust rule acme: no CI issuer is named "gitlab"`}},
		{"an unknown key of a CI issuer", ciIssuer + "audience = \"x\"\n", []string{"line 4: unknown key ci.issuer.audience"}},
		{"a bad CI token lifetime", ciIssuer + "[[ci.trust]]\nname = \"a\"\nissuer = \"github\"\nclaims = { ref = \"x\" }\nttl = \"2h\"\n",
			[]string{"a token lifetime of 2h0m0s is not between 0 and 1h0m0s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gateway.toml")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := loadGatewayConfig(path)
			msg := hfgate.ErrorMessage(err)
			if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.HasPrefix(msg, "config file "+path) {
				t.Fatalf("loadGatewayConfig = %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg+";", w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			if tt.name == "inline arrays have no lines" && strings.Contains(msg, "line ") {
				t.Errorf("%q names a line it cannot know", msg)
			}
		})
	}
	if _, err := loadGatewayConfig(filepath.Join(t.TempDir(), "none.toml")); hfgate.ErrorCode(err) != hfgate.EINVALID ||
		!strings.Contains(err.Error(), "none.toml does not exist") {
		t.Errorf("a missing file: %v", err)
	}
}
