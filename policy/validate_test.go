package policy_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// ok is a valid rule that each case below breaks in one way.
func ok(name string) policy.Rule {
	return policy.Rule{Name: name, Effect: policy.Allow, Actions: []hfgate.RepoAction{hfgate.RepoRead},
		Repos: []string{"acme/*"}, Subjects: []policy.Subject{{Org: "acme", MinRole: "write"}}}
}

func TestValidate(t *testing.T) {
	with := func(f func(*policy.Rule)) policy.Rule {
		r := ok("r")
		f(&r)
		return r
	}
	for _, tt := range []struct {
		name string
		rule policy.Rule
		want string // part of the one problem
	}{
		{"no name", with(func(r *policy.Rule) { r.Name = "" }), "rule 1: has no name"},
		{"bad name", with(func(r *policy.Rule) { r.Name = "a b" }), `rule "a b": the name may hold only letters, digits, '.', '_' and '-', at most 64`},
		{"control in name", with(func(r *policy.Rule) { r.Name = "a\x1b[2J" }), `rule "a?[2J": the name may hold only`},
		{"long name", with(func(r *policy.Rule) { r.Name = strings.Repeat("a", 65) }), "at most 64"},
		{"reserved name", with(func(r *policy.Rule) { r.Name = "default-deny" }), "the name default-deny is reserved"},
		{"reserved name of narrowed tokens", with(func(r *policy.Rule) { r.Name = "token-resource" }), "the name token-resource is reserved"},
		{"no effect", with(func(r *policy.Rule) { r.Effect = "" }), `rule "r": has no effect (allow or deny)`},
		{"unknown effect", with(func(r *policy.Rule) { r.Effect = "permit" }), `rule "r": effect "permit" is neither allow nor deny`},
		{"no actions", with(func(r *policy.Rule) { r.Actions = nil }), `rule "r": has no actions (search, read, download or *)`},
		{"unknown action", with(func(r *policy.Rule) { r.Actions = []hfgate.RepoAction{"downlaod"} }),
			`rule "r": unknown action "downlaod" (use search, read, download or *)`},
		{"no repos", with(func(r *policy.Rule) { r.Repos = nil }), `rule "r": has no repos (use "*" for every repository)`},
		{"bad glob", with(func(r *policy.Rule) { r.Repos = []string{"acme/[a-"} }), `rule "r": repo pattern "acme/[a-": '-' cannot appear in a [class]`},
		{"owner only", with(func(r *policy.Rule) { r.Repos = []string{"Qwen"} }), `rule "r": repo pattern "Qwen" names no owner: write "Qwen/*"`},
		{"no subjects", with(func(r *policy.Rule) { r.Subjects = nil }), `rule "r": has no subjects`},
		{"empty subject", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{}} }),
			`rule "r": subject 1: empty (set one of user, org, group, claim, ci, authenticated and anyone)`},
		{"two kinds in one subject", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{Anyone: true}, {Org: "acme", Group: "g"}} }),
			`rule "r": subject 2: sets org and group: a subject is one of them`},
		{"min_role alone", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{MinRole: "write"}} }), "subject 1: min_role needs an org"},
		{"min_role with a group", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{Group: "g", MinRole: "write"}} }), "subject 1: min_role needs an org"},
		{"unknown role", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{Org: "acme", MinRole: "owner"}} }),
			`subject 1: min_role "owner" is not one of read, contributor, write and admin`},
		{"claim without a name", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{Claim: map[string]string{"": "x"}}} }), "subject 1: a claim has no name"},
		{"empty claim value", with(func(r *policy.Rule) { r.Subjects = []policy.Subject{{CI: map[string]string{"ref": "", "a": "1"}}} }),
			`subject 1: claim "ref" has an empty value; claims match exactly`},
		{"empty except", with(func(r *policy.Rule) { r.Except = []policy.Subject{{}} }), `rule "r": except 1: empty`},
		{"except anyone", with(func(r *policy.Rule) { r.Except = []policy.Subject{{Anyone: true}} }), "except 1: anyone: the rule would never apply"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ps := policy.Config{Rules: []policy.Rule{tt.rule}}.Problems()
			if len(ps) != 1 || !strings.Contains(ps[0].String(), tt.want) {
				t.Fatalf("Problems = %q, want one with %q", ps, tt.want)
			}
			if strings.ContainsFunc(ps[0].String(), func(r rune) bool { return r < 0x20 }) {
				t.Errorf("problem %q holds a control character", ps[0])
			}
		})
	}
}

// Every problem of every rule is reported at once, with the rule it is in.
func TestValidateReportsEveryProblem(t *testing.T) {
	bad := ok("b")
	bad.Effect, bad.Actions = "maybe", []hfgate.RepoAction{"read", "write"}
	c := policy.Config{Rules: []policy.Rule{ok("a"), bad, ok("a"), ok("c"), {}}}
	want := []policy.Problem{
		{Index: 1, Rule: "b", Field: "effect", Message: `effect "maybe" is neither allow nor deny`},
		{Index: 1, Rule: "b", Field: "actions", Message: `unknown action "write" (use search, read, download or *)`},
		{Index: 2, Rule: "a", Field: "name", Message: "rule 1 has the same name"},
		{Index: 4, Field: "name", Message: "has no name"},
		{Index: 4, Field: "effect", Message: "has no effect (allow or deny)"},
		{Index: 4, Field: "actions", Message: "has no actions (search, read, download or *)"},
		{Index: 4, Field: "repos", Message: `has no repos (use "*" for every repository)`},
		{Index: 4, Field: "subjects", Message: "has no subjects (say who, e.g. anyone, authenticated or an org)"},
	}
	got := c.Problems()
	if len(got) != len(want) {
		t.Fatalf("Problems = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("problem %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	err := c.Validate()
	if hfgate.ErrorCode(err) != hfgate.EINVALID || !strings.Contains(hfgate.ErrorMessage(err), `invalid policy: rule "b": effect "maybe"`) ||
		strings.Count(err.Error(), "; ") != len(want)-1 {
		t.Fatalf("Validate = %v", err)
	}
	if _, err := policy.New(c); err == nil {
		t.Fatal("New accepted an invalid config")
	}
	if err := (policy.Config{}).Validate(); err != nil {
		t.Fatalf("the zero Config: %v", err)
	}
	if err := policy.Demo().Validate(); err != nil {
		t.Fatalf("Demo: %v", err)
	}
}
