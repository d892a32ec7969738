package policy

import "github.com/hfgate/hfgate"

// Demo returns the policy of "hfgate demo --gateway": members of org acme
// may do everything the Hub lets them do; the CI jobs of acme's app
// repository (GitHub ids: repository 42 of owner 7, which the demo's trust
// rule exchanges ID tokens of) may read and download hubsim's models;
// everyone else, anonymous callers included, may search and read the
// metadata of every repository but download only the models of hubsim.
func Demo() Config {
	return Config{Rules: []Rule{
		{
			Name:     "acme-members",
			Effect:   Allow,
			Actions:  []hfgate.RepoAction{AnyAction},
			Repos:    []string{"*"},
			Subjects: []Subject{{Org: "acme"}},
		},
		{
			Name:     "acme-app-ci",
			Effect:   Allow,
			Actions:  []hfgate.RepoAction{hfgate.RepoRead, hfgate.RepoDownload},
			Repos:    []string{"hubsim/*"},
			Subjects: []Subject{{CI: map[string]string{"repository_owner_id": "7", "repository_id": "42"}}},
		},
		{
			Name:     "everyone-browses",
			Effect:   Allow,
			Actions:  []hfgate.RepoAction{hfgate.RepoSearch, hfgate.RepoRead},
			Repos:    []string{"*"},
			Subjects: []Subject{{Anyone: true}},
		},
		{
			Name:     "everyone-downloads-hubsim",
			Effect:   Allow,
			Actions:  []hfgate.RepoAction{hfgate.RepoDownload},
			Repos:    []string{"hubsim/*"},
			Subjects: []Subject{{Anyone: true}},
		},
	}}
}
