package policy_test

import (
	"fmt"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// hundredRules is a policy of 100 rules shaped like a big team's: an allow
// per org for its own repos, some allows by group and CI job, denies on
// gated and reserved repos, and a browse rule at the end.
func hundredRules(b *testing.B) *policy.Policy {
	var rules []policy.Rule
	for i := range 80 {
		rules = append(rules, policy.Rule{Name: fmt.Sprintf("org-%d", i), Effect: policy.Allow,
			Actions: []hfgate.RepoAction{policy.AnyAction}, Repos: []string{fmt.Sprintf("org%d/*", i), fmt.Sprintf("datasets/org%d/*", i)},
			Subjects: []policy.Subject{{Org: fmt.Sprintf("org%d", i), MinRole: "read"}}})
	}
	for i := range 10 {
		rules = append(rules, policy.Rule{Name: fmt.Sprintf("group-%d", i), Effect: policy.Allow,
			Actions: []hfgate.RepoAction{hfgate.RepoDownload}, Repos: []string{fmt.Sprintf("vendor%d/*-GGUF", i)},
			Subjects: []policy.Subject{{Group: fmt.Sprintf("team-%d", i)}, {CI: map[string]string{"repository_id": fmt.Sprint(i)}}}})
	}
	for i := range 9 {
		rules = append(rules, policy.Rule{Name: fmt.Sprintf("reserve-%d", i), Effect: policy.Deny,
			Actions: []hfgate.RepoAction{policy.AnyAction}, Repos: []string{fmt.Sprintf("org%d/secret-*", i), "private"},
			Subjects: []policy.Subject{{Authenticated: true}}, Except: []policy.Subject{{Org: fmt.Sprintf("org%d", i), MinRole: "admin"}}})
	}
	rules = append(rules, policy.Rule{Name: "browse", Effect: policy.Allow,
		Actions: []hfgate.RepoAction{hfgate.RepoSearch, hfgate.RepoRead}, Repos: []string{"*"}, Subjects: []policy.Subject{{Anyone: true}}})
	p, err := policy.New(policy.Config{Rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkDecide measures one decision against 100 rules: an allow by the
// last org rule (79 rules tried before it), an allow by the browse rule at
// the very end, and a deny by no rule (every rule tried, then the reason
// worded).
func BenchmarkDecide(b *testing.B) {
	p := hundredRules(b)
	user := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:1", Provider: hfgate.ProviderHuggingFace, Username: "u",
		Orgs: []hfgate.Org{{Name: "org3", Role: "write"}, {Name: "org79", Role: "read"}}, Groups: []string{"team-9"}}
	for _, bc := range []struct {
		name   string
		action hfgate.RepoAction
		res    policy.Resource
		allow  bool
	}{
		{"allow-last-org", hfgate.RepoDownload, policy.Resource{ID: "org79/Model-7B-Instruct-GGUF"}, true},
		{"allow-browse", hfgate.RepoRead, policy.Resource{ID: "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"}, true},
		{"deny-default", hfgate.RepoDownload, policy.Resource{ID: "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := p.Decide(user, bc.action, bc.res); d.Allow != bc.allow {
					b.Fatalf("Decide = %+v", d)
				}
			}
		})
	}
}

// BenchmarkDecideUnindexed is the worst case: 100 rules whose patterns do
// not name an owner, so every request is matched against each of them, and
// the allow comes from the last.
func BenchmarkDecideUnindexed(b *testing.B) {
	var rules []policy.Rule
	for i := range 100 {
		rules = append(rules, policy.Rule{Name: fmt.Sprintf("project-%d", i), Effect: policy.Allow,
			Actions: []hfgate.RepoAction{hfgate.RepoDownload}, Repos: []string{fmt.Sprintf("*/project-%d-*", i)},
			Subjects: []policy.Subject{{Group: fmt.Sprintf("project-%d", i)}}})
	}
	p, err := policy.New(policy.Config{Rules: rules})
	if err != nil {
		b.Fatal(err)
	}
	user := &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: hfgate.ProviderHuggingFace, Username: "u", Groups: []string{"project-99"}}
	res := policy.Resource{ID: "acme/project-99-model-GGUF"}
	b.ReportAllocs()
	for b.Loop() {
		if d := p.Decide(user, hfgate.RepoDownload, res); !d.Allow {
			b.Fatalf("Decide = %+v", d)
		}
	}
}
