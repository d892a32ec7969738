package policy_test

import (
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

// The demo gateway's policy: org acme downloads everything, acme's app CI
// hubsim's models by a rule of its own, everyone else browses everything
// and downloads only hubsim's models.
func TestDemo(t *testing.T) {
	p, err := policy.New(policy.Demo())
	if err != nil {
		t.Fatal(err)
	}
	const (
		qwen = "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"
		tiny = "hubsim/tiny-llama-GGUF"
	)
	// Principals as the gateway builds them from hubsim's userinfo.
	alice := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:a1", Provider: hfgate.ProviderHuggingFace, Username: "alice",
		Orgs: []hfgate.Org{{Name: "acme", Role: "write"}}}
	bob := &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:b2", Provider: hfgate.ProviderHuggingFace, Username: "bob", Orgs: []hfgate.Org{}}
	ci := &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "repo:acme/app:ref:refs/heads/main",
		Claims: map[string]string{"repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main"}}
	other := &hfgate.Principal{Kind: hfgate.PrincipalCI, Subject: "repo:acme/web:ref:refs/heads/main",
		Claims: map[string]string{"repository_id": "43", "repository_owner_id": "7", "ref": "refs/heads/main"}}
	narrowed := ci.Clone()
	narrowed.Resource = tiny
	checkDecisions(t, p, []decision{
		{"alice in acme downloads Qwen", alice, download, model(qwen), true, "acme-members", "allowed by rule acme-members (members of org acme)"},
		{"alice reads acme's private repo", alice, read, policy.Resource{ID: "acme/acme-coder-tiny-GGUF", Private: true}, true, "acme-members", ""},
		{"bob, not in acme, is refused Qwen", bob, download, model(qwen), false, policy.DefaultDeny,
			"denied by rule default-deny: download of " + qwen + " needs membership of org acme"},
		{"bob reads Qwen's metadata", bob, read, model(qwen), true, "everyone-browses", ""},
		{"bob downloads hubsim's tiny model", bob, download, model(tiny), true, "everyone-downloads-hubsim", ""},
		{"anonymous searches", nil, search, model(qwen), true, "everyone-browses", ""},
		{"anonymous is refused Qwen", nil, download, model(qwen), false, policy.DefaultDeny, ""},
		{"anonymous downloads hubsim", hfgate.Anonymous, download, model(tiny), true, "everyone-downloads-hubsim", ""},
		{"acme's app CI downloads hubsim", ci, download, model(tiny), true, "acme-app-ci", "allowed by rule acme-app-ci (this CI job)"},
		{"another repo's CI downloads hubsim as anyone may", other, download, model(tiny), true, "everyone-downloads-hubsim", ""},
		{"CI is refused Qwen", ci, download, model(qwen), false, policy.DefaultDeny, ""},
		{"a CI token narrowed to tiny is refused another hubsim model", narrowed, download, model("hubsim/other-GGUF"), false, policy.TokenResource,
			"denied by rule token-resource: this token is narrowed to the repo hubsim/tiny-llama-GGUF"},
		{"a CI token narrowed to tiny downloads it", narrowed, download, model("HubSim/Tiny-Llama-GGUF"), true, "acme-app-ci", ""},
		{"hubsim's datasets are not free", bob, download, policy.Resource{Type: hfgate.RepoTypeDataset, ID: "hubsim/d"}, false, policy.DefaultDeny, ""},
	})
}
