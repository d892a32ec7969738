package policy

import "github.com/hfgate/hfgate"

// Demo returns the policy of "hfgate demo --gateway": members of org acme
// may do everything the Hub lets them do; everyone else, anonymous callers
// and CI jobs included, may search and read the metadata of every
// repository but download only the models of hubsim.
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
