package gateway

import (
	"context"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hfgate/hfgate"
)

// refresher reads the profiles of people who use the gateway again from
// Hugging Face, every Config.UserinfoRefresh, so that a new org or role
// reaches the policy without a new sign-in.
type refresher struct {
	s     *Server
	every time.Duration // <= 0: never

	mu      sync.Mutex
	checked map[string]time.Time // subject -> when this replica last looked

	group singleflight.Group
}

// maxChecked bounds refresher.checked; past it, old entries are dropped.
const maxChecked = 1 << 14

func (s *Server) newRefresher() *refresher {
	every := s.cfg.UserinfoRefresh
	if every == 0 {
		every = DefaultUserinfoRefresh
	}
	return &refresher{s: s, every: every, checked: map[string]time.Time{}}
}

// canRefresh reports whether the gateway can read p's profile again: a
// Hugging Face account in upstream mode user, whose own token it holds.
func (s *Server) canRefresh(p *hfgate.Principal) bool {
	return p.Kind == hfgate.PrincipalUser && p.Provider == huggingface && s.cfg.Upstream == UpstreamUser && s.upstream.Open != nil
}

// maybe starts, in the background, a refresh of p's profile when this
// replica has not looked at it for the interval and the stored profile is
// older than that. The request that starts it is decided with the profile
// it has; the ones after the refresh see the new one.
func (rf *refresher) maybe(p *hfgate.Principal) {
	if rf.every <= 0 || !rf.s.canRefresh(p) {
		return
	}
	now := rf.s.now()
	rf.mu.Lock()
	last, ok := rf.checked[p.Subject]
	if ok && now.Sub(last) < rf.every {
		rf.mu.Unlock()
		return
	}
	if len(rf.checked) >= maxChecked {
		for k, t := range rf.checked {
			if now.Sub(t) >= rf.every {
				delete(rf.checked, k)
			}
		}
	}
	rf.checked[p.Subject] = now
	rf.mu.Unlock()
	go func() {
		ctx, cancel := background()
		defer cancel()
		a, err := rf.s.store.LoadAccount(ctx, p.Subject)
		if err != nil || now.Sub(a.ProfileUpdated) < rf.every {
			return // another replica, or a sign-in, read it lately
		}
		if _, err := rf.s.RefreshUser(ctx, p.Subject); err != nil {
			rf.s.log.WarnContext(ctx, "profile refresh failed", "subject", p.Subject, "error", hfgate.ErrorMessage(err))
		}
	}()
}

// RefreshUser reads the profile of the account subject again from Hugging
// Face's userinfo, with the upstream credential the gateway holds for the
// person (renewed first if due), stores it, and returns the account. Every
// replica drops what it cached of the account, so the new orgs and roles
// decide the person's next request everywhere. Concurrent refreshes of
// one account make one.
//
// Errors: ENOTFOUND for no such account; EINVALID for an account the
// gateway cannot refresh (another provider, upstream mode service, no
// Hugging Face sign-in configured: its profile is read at each sign-in);
// EUNAUTHORIZED when the person's Hugging Face token is gone or refused;
// EUNAVAILABLE when Hugging Face or the store cannot be reached.
func (s *Server) RefreshUser(ctx context.Context, subject string) (*hfgate.Account, error) {
	v, err, _ := s.refresh.group.Do(subject, func() (any, error) { return s.refreshUser(ctx, subject) })
	if err != nil {
		return nil, err
	}
	return v.(*hfgate.Account).Clone(), nil
}

func (s *Server) refreshUser(ctx context.Context, subject string) (*hfgate.Account, error) {
	a, err := s.store.LoadAccount(ctx, subject)
	if err != nil {
		return nil, err
	}
	if !s.canRefresh(a.Principal()) {
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"the profile of %s cannot be read again by the gateway (it needs a Hugging Face account and upstream mode user); it is read at each sign-in", a.Username)
	}
	cred, err := s.upstream.Credential(ctx, subject)
	if err != nil {
		return nil, err
	}
	c, err := s.upstream.Open(ctx, cred)
	if err != nil {
		return nil, err
	}
	u, err := c.UserInfo(ctx, cred.AccessToken)
	if err != nil {
		return nil, err
	}
	n := a.Clone()
	n.Username = firstNonEmpty(u.Username, u.Email, a.Username)
	n.Name, n.Email, n.AvatarURL, n.Orgs = u.FullName, u.Email, u.AvatarURL, u.Orgs
	n.ProfileUpdated = s.now()
	if err := s.store.UpdateAccount(ctx, n); err != nil {
		return nil, err
	}
	s.refresh.mu.Lock()
	s.refresh.checked[subject] = n.ProfileUpdated
	s.refresh.mu.Unlock()
	s.log.InfoContext(ctx, "profile refreshed", "subject", subject, "username", n.Username, "orgs", orgNames(n.Orgs))
	return n, nil
}

// orgNames lists orgs as "name:role", for logs and audit.
func orgNames(orgs []hfgate.Org) string {
	var out []string
	for _, o := range orgs {
		out = append(out, o.Name+":"+firstNonEmpty(o.Role, "member"))
	}
	return strings.Join(out, " ")
}
