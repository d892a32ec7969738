package main

import (
	"context"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

// explainAccount returns the caller of explain --from-database: the
// gateway's account named by --user (or --subject), as the gateway builds
// its principal.
func (a *app) explainAccount(ctx context.Context, f *explainFlags) (*hfgate.Principal, error) {
	if f.user == "" && f.subject == "" || f.ci || f.anonymous {
		return nil, hfgate.Errorf(hfgate.EINVALID, "--from-database describes a user: name one with --user (or --subject)")
	}
	if len(f.orgs) > 0 || len(f.groups) > 0 || len(f.claims) > 0 {
		return nil, hfgate.Errorf(hfgate.EINVALID, "--from-database takes the user's orgs, groups and claims from the database: drop --org, --group and --claim")
	}
	s, err := a.adminState(ctx, false)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	acct, err := gateway.FindAccount(ctx, s, firstNonEmpty(f.subject, f.user))
	if err != nil {
		return nil, err
	}
	if acct.Disabled {
		return nil, hfgate.Errorf(hfgate.EFORBIDDEN, "the account %s is disabled: the gateway refuses it before any policy", acct.Username)
	}
	return acct.Principal(), nil
}
