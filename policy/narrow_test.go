package policy_test

import (
	"reflect"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// narrowTo returns a copy of p whose token is narrowed to repo.
func narrowTo(p *hfgate.Principal, repo string) *hfgate.Principal {
	c := p.Clone()
	c.Resource = repo
	return c
}

// TestNarrowed: a token narrowed to one repository reaches that one (as
// far as the rules allow) and no other, whatever the rules say; names
// ignore case, and types must agree.
func TestNarrowed(t *testing.T) {
	p := company(t)
	acmeM := narrowTo(ciMain, "acme/m")
	checkDecisions(t, p, []decision{
		{"its own repo, as the rules allow", acmeM, download, model("acme/m"), true, "ci-main", ""},
		{"its own repo in another case", acmeM, download, model("ACME/M"), true, "ci-main", ""},
		{"its own repo named with models/", narrowTo(ciMain, "models/acme/m"), download, model("acme/m"), true, "ci-main", ""},
		{"another repo the rules allow", acmeM, download, model("acme/other"), false, policy.TokenResource,
			"denied by rule token-resource: this token is narrowed to the repo acme/m"},
		{"a dataset of the same id", acmeM, download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "acme/m"}, false, policy.TokenResource, ""},
		{"a narrowed dataset", narrowTo(ciMain, "datasets/acme/m"), download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "acme/m"}, true, "ci-main", ""},
		{"its own repo, where the rules deny", narrowTo(ciPR, "acme/m"), download, model("acme/m"), false, policy.DefaultDeny, ""},
		{"a narrowed user token", narrowTo(alice, "Qwen/X"), read, model("Qwen/Y"), false, policy.TokenResource, ""},
		{"a malformed narrowing refuses everything", narrowTo(alice, "not a repo"), read, model("Qwen/X"), false, policy.TokenResource, ""},
	})
}

func TestParseResource(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want policy.Resource
		ok   bool
	}{
		{"Qwen/X", policy.Resource{Type: hfgate.RepoTypeModel, ID: "Qwen/X"}, true},
		{" models/Qwen/X ", policy.Resource{Type: hfgate.RepoTypeModel, ID: "Qwen/X"}, true},
		{"datasets/acme/eval", policy.Resource{Type: hfgate.RepoTypeDataset, ID: "acme/eval"}, true},
		{"spaces/acme/demo", policy.Resource{Type: hfgate.RepoTypeSpace, ID: "acme/demo"}, true},
		{"datasets/x", policy.Resource{Type: hfgate.RepoTypeModel, ID: "datasets/x"}, true}, // user "datasets"'s model, as the Hub parses it
		{"gpt2", policy.Resource{Type: hfgate.RepoTypeModel, ID: "gpt2"}, true},
		{"a/b/c", policy.Resource{}, false},
		{"", policy.Resource{}, false},
		{"acme/../x", policy.Resource{}, false},
		{"https://gw.example/acme/x", policy.Resource{}, false},
	} {
		got, err := policy.ParseResource(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseResource(%q) = %+v, %v; want %+v (ok %v)", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && hfgate.ErrorCode(err) != hfgate.EINVALID {
			t.Errorf("ParseResource(%q): %v, want EINVALID", tt.in, err)
		}
	}
}

// TestConfigCopy: Config gives the rules as configured, and a change to
// what it returns changes nothing in the Policy.
func TestConfigCopy(t *testing.T) {
	p, err := policy.New(policy.Demo())
	if err != nil {
		t.Fatal(err)
	}
	got := p.Config()
	if !reflect.DeepEqual(got, policy.Demo()) {
		t.Fatalf("Config() = %+v, want the demo's rules", got)
	}
	got.Rules[1].Subjects[0].CI["repository_id"] = "666"
	got.Rules[0].Repos[0] = "nothing/*"
	if again := p.Config(); !reflect.DeepEqual(again, policy.Demo()) {
		t.Errorf("after changing a copy, Config() = %+v", again)
	}
	var none *policy.Policy
	if c := none.Config(); len(c.Rules) != 0 {
		t.Errorf("a nil Policy's Config: %+v", c)
	}
}
