package policy_test

import (
	"fmt"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/policy"
)

func Example() {
	p, err := policy.New(policy.Config{Rules: []policy.Rule{
		{
			Name:     "acme-members",
			Effect:   policy.Allow,
			Actions:  []hfgate.RepoAction{policy.AnyAction},
			Repos:    []string{"*"},
			Subjects: []policy.Subject{{Org: "acme"}},
		},
		{
			Name:     "no-gated-for-ci",
			Effect:   policy.Deny,
			Actions:  []hfgate.RepoAction{hfgate.RepoDownload},
			Repos:    []string{"gated"},
			Subjects: []policy.Subject{{CI: map[string]string{"repository_owner_id": "7"}}},
		},
	}})
	if err != nil {
		panic(err)
	}
	alice := &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: hfgate.ProviderHuggingFace, Username: "alice", Orgs: []hfgate.Org{{Name: "acme", Role: "write"}}}
	bob := &hfgate.Principal{Kind: hfgate.PrincipalUser, Provider: hfgate.ProviderHuggingFace, Username: "bob"}
	qwen := policy.Resource{ID: "Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF"}

	fmt.Println(p.Decide(alice, hfgate.RepoDownload, qwen).Reason)
	fmt.Println(p.Decide(bob, hfgate.RepoDownload, qwen).Reason)
	// Output:
	// allowed by rule acme-members (members of org acme)
	// denied by rule default-deny: download of Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF needs membership of org acme
}
