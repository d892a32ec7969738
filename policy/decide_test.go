package policy_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// Callers of the tests.
var (
	alice = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:1", Provider: hfgate.ProviderHuggingFace, Username: "alice",
		Orgs: []hfgate.Org{{Name: "acme", Role: "write"}}}
	carol = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:3", Provider: hfgate.ProviderHuggingFace, Username: "carol",
		Orgs: []hfgate.Org{{Name: "ACME", Role: "read"}, {Name: "other", Role: "admin"}}}
	erin = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:5", Provider: hfgate.ProviderHuggingFace, Username: "erin",
		Orgs: []hfgate.Org{{Name: "acme"}}} // role not disclosed
	bob   = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:2", Provider: hfgate.ProviderHuggingFace, Username: "bob"}
	frank = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:6", Provider: hfgate.ProviderHuggingFace, Username: "frank"}
	dave  = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "okta:00u9", Username: "dave", Provider: "okta",
		Groups: []string{"ml"}, Claims: map[string]string{"hd": "corp.example", "email_verified": "true"}}
	mallory = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "okta:00u7", Username: "mallory",
		Orgs: []hfgate.Org{{Name: "acme", Role: "admin"}}, Groups: []string{"contractors"}}
	ciMain = &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "repo:acme/app:ref:refs/heads/main", Provider: "github",
		Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}}
	ciPR = &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "repo:acme/app:pull_request", Provider: "github",
		Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/pull/9/merge"}}
	// A user of another provider who calls themselves bob is not the Hub's bob.
	oktaBob = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "okta:00u2", Username: "bob", Provider: "okta"}
	// A user who claims the CI job's claims is still not a CI job.
	ciImpostor = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "okta:1", Username: "imp",
		Claims: map[string]string{"repository_id": "42", "ref": "refs/heads/main"}}
	// An anonymous principal that carries attributes matches none of them.
	anonWithOrgs = &hfgate.Principal{Kind: hfgate.PrincipalAnonymous, Username: "alice",
		Orgs: []hfgate.Org{{Name: "acme", Role: "admin"}}, Groups: []string{"ml"}}
)

var (
	search   = hfgate.RepoSearch
	read     = hfgate.RepoRead
	download = hfgate.RepoDownload
	any_     = []hfgate.RepoAction{policy.AnyAction}
)

// company is a policy with one rule of each kind.
func company(tb testing.TB) *policy.Policy {
	tb.Helper()
	p, err := policy.New(policy.Config{Rules: []policy.Rule{
		{Name: "acme-members", Effect: policy.Allow, Actions: any_, Repos: []string{"*"},
			Subjects: []policy.Subject{{Org: "acme"}}},
		{Name: "browse", Effect: policy.Allow, Actions: []hfgate.RepoAction{search, read}, Repos: []string{"*"},
			Subjects: []policy.Subject{{Anyone: true}}},
		{Name: "hubsim-downloads", Effect: policy.Allow, Actions: []hfgate.RepoAction{download}, Repos: []string{"hubsim/*"},
			Subjects: []policy.Subject{{Anyone: true}}},
		{Name: "no-gated-to-ci", Effect: policy.Deny, Actions: []hfgate.RepoAction{download}, Repos: []string{"gated"},
			Subjects: []policy.Subject{{CI: map[string]string{"repository_owner_id": "7"}}}},
		{Name: "ci-main", Effect: policy.Allow, Actions: []hfgate.RepoAction{download}, Repos: []string{"acme/*", "datasets/acme/*"},
			Subjects: []policy.Subject{{CI: map[string]string{"repository_id": "42", "ref": "refs/heads/main"}}}},
		{Name: "secrets-for-writers", Effect: policy.Deny, Actions: any_, Repos: []string{"acme/secret-*"},
			Subjects: []policy.Subject{{Authenticated: true}}, Except: []policy.Subject{{Org: "acme", MinRole: "write"}}},
		{Name: "ml-group", Effect: policy.Allow, Actions: []hfgate.RepoAction{download}, Repos: []string{"meta-llama/*"},
			Subjects: []policy.Subject{{Group: "ml"}}},
		{Name: "corp-claims", Effect: policy.Allow, Actions: []hfgate.RepoAction{download}, Repos: []string{"corp/*"},
			Subjects: []policy.Subject{{Claim: map[string]string{"hd": "corp.example", "email_verified": "true"}}}},
		{Name: "bob-own", Effect: policy.Allow, Actions: []hfgate.RepoAction{download}, Repos: []string{"bob/*", "private"},
			Subjects: []policy.Subject{{User: "Bob"}, {User: "huggingface:6"}}},
		{Name: "no-contractors", Effect: policy.Deny, Actions: any_, Repos: []string{"*"},
			Subjects: []policy.Subject{{Group: "contractors"}}},
		{Name: "admins-only-private", Effect: policy.Deny, Actions: []hfgate.RepoAction{download}, Repos: []string{"other/*", "private"},
			Subjects: []policy.Subject{{Anyone: true}}, Except: []policy.Subject{{Org: "other", MinRole: "admin"}, {User: "bob"}}},
	}})
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func model(id string) policy.Resource { return policy.Resource{ID: hfgate.RepoID(id)} }

func TestDecide(t *testing.T) {
	p := company(t)
	gated := func(id string) policy.Resource { return policy.Resource{ID: hfgate.RepoID(id), Gated: true} }
	private := func(id string) policy.Resource { return policy.Resource{ID: hfgate.RepoID(id), Private: true} }
	checkDecisions(t, p, []decision{
		{"org member downloads anything", alice, download, model("Qwen/X"), true, "acme-members", "allowed by rule acme-members (members of org acme)"},
		{"org names ignore case", carol, download, model("Qwen/X"), true, "acme-members", ""},
		{"a member with no disclosed role counts as read", erin, download, model("Qwen/X"), true, "acme-members", ""},
		{"non-member may search", bob, search, model("Qwen/X"), true, "browse", "allowed by rule browse (anyone)"},
		{"non-member may read", bob, read, model("Qwen/X"), true, "browse", ""},
		{"non-member may not download", bob, download, model("Qwen/X"), false, policy.DefaultDeny,
			"denied by rule default-deny: download of Qwen/X needs membership of org acme"},
		{"non-member downloads hubsim", bob, download, model("hubsim/tiny"), true, "hubsim-downloads", ""},
		{"anonymous may search", nil, search, model("Qwen/X"), true, "browse", ""},
		{"anonymous may not download", hfgate.Anonymous, download, model("Qwen/X"), false, policy.DefaultDeny, "needs membership of org acme"},
		{"anonymous attributes count for nothing", anonWithOrgs, download, model("Qwen/X"), false, policy.DefaultDeny, ""},
		{"a caller of no kind is anonymous", &hfgate.Principal{Username: "alice", Orgs: alice.Orgs}, download, model("Qwen/X"), false, policy.DefaultDeny, ""},
		{"a caller of no kind is not signed in", &hfgate.Principal{Subject: "x"}, read, model("acme/secret-x"), true, "browse", ""},
		{"anonymous downloads hubsim", nil, download, model("hubsim/tiny"), true, "hubsim-downloads", ""},
		{"datasets are repos too", alice, download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "acme/d"}, true, "acme-members", ""},
		{"hubsim/* holds no datasets", bob, download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "hubsim/d"}, false, policy.DefaultDeny,
			"download of datasets/hubsim/d needs membership of org acme"},
		{"CI job on main downloads its org's model", ciMain, download, model("acme/m"), true, "ci-main", "allowed by rule ci-main (this CI job)"},
		{"CI job on main downloads its org's dataset", ciMain, download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "acme/d"}, true, "ci-main", ""},
		{"CI job on a pull request does not", ciPR, download, model("acme/m"), false, policy.DefaultDeny, "needs membership of org acme or a CI job named by rule ci-main"},
		{"CI claims on a user are not a CI job", ciImpostor, download, model("acme/m"), false, policy.DefaultDeny, ""},
		{"deny wins over the CI allow", ciMain, download, gated("acme/m"), false, "no-gated-to-ci",
			"denied by rule no-gated-to-ci: download of gated repo acme/m is denied to this CI job"},
		{"the gated deny is about downloads only", ciMain, read, gated("acme/m"), true, "browse", ""},
		{"a writer reads a reserved repo", alice, read, model("acme/secret-plans"), true, "acme-members", ""},
		{"a reader may not", carol, read, model("acme/secret-plans"), false, "secrets-for-writers",
			"denied by rule secrets-for-writers: read of acme/secret-plans needs role write or higher in org acme"},
		{"the reserve ignores case", carol, read, model("ACME/Secret-Plans"), false, "secrets-for-writers", "read of ACME/Secret-Plans"},
		{"the reserve is for signed-in callers; anonymous falls to browse", nil, read, model("acme/secret-plans"), true, "browse", ""},
		{"group member downloads", dave, download, model("meta-llama/Llama-3"), true, "ml-group", "(members of group ml)"},
		{"claims match exactly", dave, download, model("corp/m"), true, "corp-claims", "(callers with these claims)"},
		{"claims all needed", bob, download, model("corp/m"), false, policy.DefaultDeny, "needs membership of org acme or the claims rule corp-claims names"},
		{"user by name, ignoring case, with private condition", bob, download, private("bob/p"), true, "bob-own", "(this user)"},
		{"the private condition holds too", bob, download, model("bob/p"), false, policy.DefaultDeny, ""},
		{"a Hub username names no user of another provider", oktaBob, download, private("bob/p"), false, policy.DefaultDeny, ""},
		{"user by subject", frank, download, private("bob/p"), true, "bob-own", "(this user)"},
		{"a deny on a group wins over an org allow", mallory, read, model("Qwen/X"), false, "no-contractors",
			"denied by rule no-contractors: read of Qwen/X is denied to members of group contractors"},
		{"an exception by org role", carol, download, private("other/x"), true, "acme-members", ""},
		{"an exception that does not hold", alice, download, private("other/x"), false, "admins-only-private",
			"download of private repo other/x needs role admin or higher in org other or a user named by rule admins-only-private"},
		{"an unknown action", alice, "delete", model("Qwen/X"), false, policy.DefaultDeny, "denied by rule default-deny: not a known action"},
		{"an unknown type", alice, read, policy.Resource{Type: "buckets", ID: "a/b"}, false, policy.DefaultDeny, "not a known repository type"},
		{"a malformed id", alice, read, model("a/b/c"), false, policy.DefaultDeny, "not a valid repository name"},
		{"an id with a newline", alice, read, model("a/b\nX-Evil: 1"), false, policy.DefaultDeny, "not a valid repository name"},
		{"an empty id", alice, read, model(""), false, policy.DefaultDeny, "not a valid repository name"},
		{"a bare legacy id", bob, read, model("gpt2"), true, "browse", ""},
	})
}

// decision is a test case: what who asks and what p must decide.
type decision struct {
	name   string
	who    *hfgate.Principal
	action hfgate.RepoAction
	res    policy.Resource
	allow  bool
	rule   string
	reason string // a part of Decision.Reason
}

func checkDecisions(t *testing.T, p *policy.Policy, cases []decision) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Decide(tt.who, tt.action, tt.res)
			if d.Allow != tt.allow || d.Rule != tt.rule || !strings.Contains(d.Reason, tt.reason) {
				t.Fatalf("Decide = %+v, want allow %v by %s with reason containing %q", d, tt.allow, tt.rule, tt.reason)
			}
			checkReason(t, d)
			checkExplained(t, p, tt.who, tt.action, tt.res)
		})
	}
}

// checkExplained fails unless Explain, which tries every rule in order,
// agrees with Decide, which tries only those its index picks: the first
// deny that matches decides, else the first allow, else no rule.
func checkExplained(t *testing.T, p *policy.Policy, who *hfgate.Principal, action hfgate.RepoAction, res policy.Resource) {
	t.Helper()
	d := p.Decide(who, action, res)
	e := p.Explain(who, action, res)
	if e.Decision != d {
		t.Fatalf("Explain decided %+v, Decide %+v", e.Decision, d)
	}
	if d.Rule == policy.TokenResource {
		if len(e.Matched)+len(e.Missed) != 0 || !strings.Contains(e.Verdict, "narrowed") {
			t.Fatalf("a narrowed token's explanation reads rules: %+v", e)
		}
		return
	}
	want := policy.DefaultDeny
	for _, effect := range []policy.Effect{policy.Allow, policy.Deny} {
		for _, m := range e.Matched {
			if m.Effect == effect {
				want = m.Rule
				break
			}
		}
	}
	if d.Rule != want {
		t.Fatalf("Decide chose rule %s, but the rules that match are %+v", d.Rule, e.Matched)
	}
}

// checkReason fails unless the reason is one line that names the rule and
// no caller.
func checkReason(t *testing.T, d policy.Decision) {
	t.Helper()
	verb := "denied"
	if d.Allow {
		verb = "allowed"
	}
	if !strings.HasPrefix(d.Reason, verb+" by rule "+d.Rule) {
		t.Errorf("reason %q does not start with %q", d.Reason, verb+" by rule "+d.Rule)
	}
	if strings.ContainsFunc(d.Reason, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		t.Errorf("reason %q holds a control character", d.Reason)
	}
	for _, who := range []string{"alice", "carol", "erin", "frank", "dave", "mallory", "huggingface:", "okta:", "refs/heads"} {
		if strings.Contains(d.Reason, who) {
			t.Errorf("reason %q names the caller (%s)", d.Reason, who)
		}
	}
}

// Among rules of one effect the first in the config decides; a deny
// anywhere wins; no rule at all denies.
func TestDecideOrder(t *testing.T) {
	owned := func(name string, e policy.Effect, repos ...string) policy.Rule {
		return policy.Rule{Name: name, Effect: e, Actions: any_, Repos: repos, Subjects: []policy.Subject{{Anyone: true}}}
	}
	rule := func(name string, e policy.Effect) policy.Rule { return owned(name, e, "*") }
	for _, tt := range []struct {
		name  string
		rules []policy.Rule
		rule  string
	}{
		{"first allow", []policy.Rule{rule("a1", policy.Allow), rule("a2", policy.Allow)}, "a1"},
		{"deny after allow wins", []policy.Rule{rule("a1", policy.Allow), rule("d1", policy.Deny)}, "d1"},
		{"first deny", []policy.Rule{rule("d1", policy.Deny), rule("a1", policy.Allow), rule("d2", policy.Deny)}, "d1"},
		{"no rules", nil, policy.DefaultDeny},
		{"an owner's rule first", []policy.Rule{owned("a1", policy.Allow, "A/*"), rule("a2", policy.Allow)}, "a1"},
		{"an owner's rule second", []policy.Rule{rule("a1", policy.Allow), owned("a2", policy.Allow, "a/b")}, "a1"},
		{"owners' rules in order", []policy.Rule{rule("d0", policy.Deny), owned("a1", policy.Allow, "x/*"), owned("d1", policy.Deny, "a/*"),
			owned("d2", policy.Deny, "a/b"), rule("d3", policy.Deny)}, "d0"},
		{"an owner's deny first", []policy.Rule{owned("a1", policy.Allow, "a/*"), owned("d1", policy.Deny, "a/*"), rule("d2", policy.Deny)}, "d1"},
		{"an owner's deny", []policy.Rule{rule("a1", policy.Allow), owned("d1", policy.Deny, "x/y", "datasets/a/b", "a/[b]")}, "d1"},
		{"another owner's deny", []policy.Rule{rule("a1", policy.Allow), owned("d1", policy.Deny, "x/*", "datasets/a/b")}, "a1"},
		{"a glob owner", []policy.Rule{owned("d1", policy.Deny, "[a]/*"), rule("a1", policy.Allow)}, "d1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := policy.New(policy.Config{Rules: tt.rules})
			if err != nil {
				t.Fatal(err)
			}
			d := p.Decide(alice, read, model("a/B"))
			if d.Rule != tt.rule || d.Allow != strings.HasPrefix(tt.rule, "a") {
				t.Fatalf("Decide = %+v, want rule %s", d, tt.rule)
			}
			checkExplained(t, p, alice, read, model("a/B"))
		})
	}
	var nilPolicy *policy.Policy
	if d := nilPolicy.Decide(alice, read, model("a/b")); d.Allow || d.Rule != policy.DefaultDeny ||
		d.Reason != "denied by rule default-deny: no rule allows read of a/b" {
		t.Fatalf("nil Policy: Decide = %+v", d)
	}
}

// Deciding an allow is on every request: it must not allocate.
func TestDecideAllowAllocatesNothing(t *testing.T) {
	p := company(t)
	for _, c := range []struct {
		who *hfgate.Principal
		res policy.Resource
	}{
		{alice, model("Qwen/X")}, {dave, model("corp/m")}, {ciMain, model("acme/m")}, {nil, model("hubsim/tiny")},
		{narrowTo(ciMain, "datasets/acme/eval"), policy.Resource{Type: hfgate.RepoTypeDataset, ID: "Acme/Eval"}},
	} {
		var d policy.Decision
		if n := testing.AllocsPerRun(100, func() { d = p.Decide(c.who, download, c.res) }); n != 0 || !d.Allow {
			t.Errorf("Decide(%s) = %+v with %v allocations, want an allow with none", c.res.ID, d, n)
		}
	}
}
