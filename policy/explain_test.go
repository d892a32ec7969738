package policy_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

func TestExplain(t *testing.T) {
	p := company(t)
	for _, tt := range []struct {
		name            string
		who             *hfgate.Principal
		action          hfgate.RepoAction
		res             policy.Resource
		verdict         string
		matched, missed []string // rule names, in config order
		why             []string // parts of the Why of matched then missed rules, in that order
	}{
		{"one allow", alice, download, model("Qwen/X"),
			"rule acme-members allows and no deny rule matches",
			[]string{"acme-members"}, []string{"no-contractors"},
			[]string{`repo matches "*"; caller matches org acme (role write)`, `repo matches "*"; the rule is for group contractors`}},
		{"two allows", carol, read, model("Qwen/X"),
			"rule acme-members allows and no deny rule matches; it is the first of 2 allow rules that match",
			[]string{"acme-members", "browse"}, []string{"no-contractors"},
			[]string{"caller matches org acme (role read)", "caller matches anyone"}},
		{"undisclosed role", erin, read, model("Qwen/X"), "",
			[]string{"acme-members", "browse"}, []string{"no-contractors"},
			[]string{"org acme (role not disclosed, counted as read)"}},
		{"deny wins", ciMain, download, policy.Resource{ID: "acme/m", Gated: true},
			"rule no-gated-to-ci denies, and a deny wins over the allow of ci-main",
			[]string{"no-gated-to-ci", "ci-main"}, []string{"acme-members", "no-contractors"},
			[]string{"repo is gated; caller matches CI jobs with repository_owner_id=7",
				`repo matches "acme/*"; caller matches CI jobs with ref=refs/heads/main, repository_id=42`,
				"the rule is for org acme"}},
		{"deny over two allows", mallory, read, model("Qwen/X"),
			"rule no-contractors denies, and a deny wins over the allow of acme-members, browse",
			[]string{"acme-members", "browse", "no-contractors"}, nil, nil},
		{"excepted", alice, read, model("acme/secret-x"), "rule acme-members allows",
			[]string{"acme-members", "browse"}, []string{"secrets-for-writers", "no-contractors"},
			[]string{"", "", `repo matches "acme/secret-*"; caller matches signed-in callers but also the exception org acme with role write or higher (role write)`}},
		{"default deny", bob, download, model("Qwen/X"), "no rule matches, so the default denies",
			nil, []string{"acme-members", "no-contractors"}, nil},
		{"conditions", alice, download, policy.Resource{ID: "other/x", Private: true}, "rule admins-only-private denies",
			[]string{"acme-members", "admins-only-private"}, []string{"no-contractors"},
			[]string{"", `repo matches "other/*" and is private; caller matches anyone`}},
		{"several subjects", nil, download, policy.Resource{ID: "bob/x", Private: true}, "no rule matches",
			nil, []string{"acme-members", "bob-own", "no-contractors"},
			[]string{"", `repo matches "bob/*" and is private; the rule is for user Bob or user huggingface:6`}},
		{"invalid", alice, read, model("a/b/c"), "denied by rule default-deny: not a valid repository name", nil, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := p.Explain(tt.who, tt.action, tt.res)
			if !strings.HasPrefix(e.Verdict, tt.verdict) {
				t.Errorf("Verdict = %q, want %q", e.Verdict, tt.verdict)
			}
			if got := names(e.Matched); strings.Join(got, ",") != strings.Join(tt.matched, ",") {
				t.Errorf("Matched = %q, want %q", got, tt.matched)
			}
			if got := names(e.Missed); strings.Join(got, ",") != strings.Join(tt.missed, ",") {
				t.Errorf("Missed = %q, want %q", got, tt.missed)
			}
			all := append(e.Matched, e.Missed...)
			for i, w := range tt.why {
				if i >= len(all) || !strings.Contains(all[i].Why, w) {
					t.Errorf("rule %d: Why lacks %q: %+v", i, w, all)
				}
			}
		})
	}
}

func names(ms []policy.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule)
	}
	return out
}
