package hubsim

import "fmt"

// Grant gives a user access to a gated repo (Options.Grants), in addition
// to the catalog's Repo.Granted.
type Grant struct {
	// Repo is "owner/name" for a model, "datasets/owner/name" or
	// "spaces/owner/name" for the others.
	Repo string `json:"repo"`
	User string `json:"user"`
}

// User returns the current record of an account (with its memberships as
// SetMembership left them) and whether it exists.
func (s *Server) User(name string) (User, bool) {
	u := s.ids.user(name)
	if u == nil {
		return User{}, false
	}
	return *u, true
}

// SetMembership makes user a member of org with role ("read",
// "contributor", "write" or "admin"), or with role "" removes them from
// it. The change shows at once in /oauth/userinfo, /api/whoami-v2 and in
// what the user's tokens may read. OAuth tokens still see only the orgs
// granted when the user approved the app, as on huggingface.co: an org
// joined later needs a new sign-in, or the read-memberships scope to be
// listed.
func (s *Server) SetMembership(user, org, role string) error {
	ids := s.ids
	if role != "" {
		if err := ids.checkMembership(org, role); err != nil {
			return fmt.Errorf("hubsim: %w", err)
		}
	} else if ids.org(org) == nil {
		return fmt.Errorf("hubsim: no org %q", org)
	}
	ids.mu.Lock()
	defer ids.mu.Unlock()
	old := ids.users[user]
	if old == nil {
		return errUnknownUser(user)
	}
	u := *old
	u.Orgs = nil
	for _, m := range old.Orgs {
		if m.Org != org {
			u.Orgs = append(u.Orgs, m)
		}
	}
	if role != "" {
		u.Orgs = append(u.Orgs, Membership{Org: org, Role: role})
	}
	ids.users[user] = &u
	return nil
}

// SetDisabled disables or re-enables an account. While it is disabled its
// tokens (classic and OAuth), refresh tokens, pending codes and hubsim
// sign-in sessions are refused, and it cannot approve a sign-in, as for a
// suspended huggingface.co account.
func (s *Server) SetDisabled(user string, disabled bool) error {
	ids := s.ids
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.users[user] == nil {
		return errUnknownUser(user)
	}
	if disabled {
		ids.disabled[user] = true
	} else {
		delete(ids.disabled, user)
	}
	return nil
}

// GrantAccess gives user access to the gated repo ("owner/name", or
// "datasets/owner/name", "spaces/owner/name"), as the repo's owners do by
// accepting an access request.
func (s *Server) GrantAccess(repo, user string) error { return s.setGrant(repo, user, true) }

// RevokeAccess takes back user's access to a gated repo.
func (s *Server) RevokeAccess(repo, user string) error { return s.setGrant(repo, user, false) }

func (s *Server) setGrant(repo, user string, on bool) error {
	re, _ := s.hub.idx.lookupTyped(repo)
	if re == nil {
		return fmt.Errorf("hubsim: no repo %s", repo)
	}
	if re.Gated == "" {
		return fmt.Errorf("hubsim: %s is not gated", repo)
	}
	return s.ids.grant(re, user, on)
}
