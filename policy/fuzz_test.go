package policy_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// FuzzDecide builds a rule and a caller from fuzzed text and checks that
// neither validating, deciding nor explaining panics, that Decide and
// Explain agree (see checkExplained), and that every reason is one line
// that names its rule.
func FuzzDecide(f *testing.F) {
	f.Add("Qwen/*", "acme", "write", "g", "k", "v", "alice", "acme", "read", "download", "Qwen/X", "model")
	f.Add("*", "", "", "", "", "", "", "", "", "read", "gpt2", "")
	f.Add("datasets/a?/[b-d]*", "o", "admin", "", "repository_id", "42", "bob", "O", "", "search", "ab/c", "dataset")
	f.Fuzz(func(t *testing.T, pattern, org, minRole, group, claim, value, user, userOrg, userRole, action, id, typ string) {
		subjects := []policy.Subject{{Org: org, MinRole: minRole}, {Group: group}, {Claim: map[string]string{claim: value}},
			{CI: map[string]string{claim: value}}, {User: user}, {Authenticated: true}}
		var rules []policy.Rule
		for i, s := range subjects {
			for _, e := range []policy.Effect{policy.Allow, policy.Deny} {
				rules = append(rules, policy.Rule{Name: string(e) + "-" + string(rune('a'+i)), Effect: e,
					Actions: []hfgate.RepoAction{hfgate.RepoAction(action)}, Repos: []string{pattern, "gated"},
					Subjects: []policy.Subject{s}, Except: []policy.Subject{{Group: group + "x"}}})
			}
		}
		c := policy.Config{Rules: rules}
		_ = c.Problems()
		p, err := policy.New(c)
		if err != nil {
			// Keep the valid rules, so that deciding is fuzzed too.
			bad := map[int]bool{}
			for _, pr := range c.Problems() {
				bad[pr.Index] = true
			}
			c.Rules = nil
			for i, r := range rules {
				if !bad[i] {
					c.Rules = append(c.Rules, r)
				}
			}
			if p, err = policy.New(c); err != nil {
				t.Fatalf("New after dropping the bad rules: %v", err)
			}
		}
		for _, who := range []*hfgate.Principal{nil,
			{Kind: hfgate.PrincipalUser, Username: user, Subject: user, Orgs: []hfgate.Org{{Name: userOrg, Role: userRole}},
				Groups: []string{group}, Claims: map[string]string{claim: value}},
			{Kind: hfgate.PrincipalCI, Claims: map[string]string{claim: value}},
			{Kind: hfgate.PrincipalKind(typ)},
		} {
			res := policy.Resource{Type: hfgate.RepoType(typ), ID: hfgate.RepoID(id), Gated: len(id)%2 == 0}
			d := p.Decide(who, hfgate.RepoAction(action), res)
			checkExplained(t, p, who, hfgate.RepoAction(action), res)
			if !strings.Contains(d.Reason, "by rule "+d.Rule+": ") && !strings.HasPrefix(d.Reason, "allowed by rule "+d.Rule+" (") {
				t.Fatalf("reason %q does not name rule %q", d.Reason, d.Rule)
			}
			if strings.ContainsFunc(d.Reason, func(r rune) bool { return r < 0x20 || 0x7f <= r && r < 0xa0 }) {
				t.Fatalf("reason %q holds a control character", d.Reason)
			}
		}
	})
}
