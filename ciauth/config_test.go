package ciauth_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/memstore"
)

func TestValidate(t *testing.T) {
	valid := func() ciauth.Config {
		return ciauth.Config{
			Issuers:  []ciauth.Issuer{{Name: "github", URL: "https://token.actions.githubusercontent.com"}},
			Rules:    []ciauth.Rule{{Name: "acme-app", Issuer: "github", Claims: map[string]string{"repository_id": "42"}}},
			Audience: "https://hf.example.com", JTIs: &memstore.Store{},
		}
	}
	if c := valid(); c.Validate() != nil {
		t.Fatalf("valid config: %v", c.Validate())
	}
	for _, tt := range []struct {
		name   string
		change func(*ciauth.Config)
		want   string
	}{
		{"no audience", func(c *ciauth.Config) { c.Audience = "" }, "the audience"},
		{"http audience elsewhere", func(c *ciauth.Config) { c.Audience = "http://hf.example.com" }, "want https"},
		{"no store", func(c *ciauth.Config) { c.JTIs = nil }, "spent token ids"},
		{"bad issuer name", func(c *ciauth.Config) { c.Issuers[0].Name = "GitHub" }, "lowercase"},
		{"issuer twice", func(c *ciauth.Config) { c.Issuers = append(c.Issuers, c.Issuers[0]) }, "twice"},
		{"http issuer", func(c *ciauth.Config) { c.Issuers[0].URL = "http://token.actions.githubusercontent.com" }, "want https"},
		{"issuer with a query", func(c *ciauth.Config) { c.Issuers[0].URL += "?x=1" }, "without user, query"},
		{"bad key set address", func(c *ciauth.Config) { c.Issuers[0].JWKSURL = "ftp://x" }, "want https"},
		{"rule without claims", func(c *ciauth.Config) { c.Rules[0].Claims = nil }, "would trust every job"},
		{"rule of an unknown issuer", func(c *ciauth.Config) { c.Rules[0].Issuer = "gitlab" }, `no CI issuer is named "gitlab"`},
		{"rule twice", func(c *ciauth.Config) { c.Rules = append(c.Rules, c.Rules[0]) }, "twice"},
		{"rule name with a space", func(c *ciauth.Config) { c.Rules[0].Name = "a b" }, "without spaces"},
		{"a TTL over an hour", func(c *ciauth.Config) { c.Rules[0].TTL = 2 * time.Hour }, "not between 0 and 1h0m0s"},
		{"an empty claim value", func(c *ciauth.Config) { c.Rules[0].Claims["ref"] = "" }, "want a name of 1 to"},
		{"a per-token claim", func(c *ciauth.Config) { c.Rules[0].Claims["jti"] = "x" }, "changes with every token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(&c)
			err := c.Validate()
			if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate: %v, want EINVALID with %q", err, tt.want)
			}
			if _, err := ciauth.New(c); err == nil {
				t.Error("New accepted it")
			}
		})
	}
}
