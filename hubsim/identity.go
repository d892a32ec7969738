package hubsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// User is a hubsim account.
type User struct {
	ID        string // 24-hex, like the Hub's ObjectIds; the OIDC "sub". Default: derived from Name
	Name      string // handle, e.g. "alice"
	FullName  string // default: Name
	Email     string
	IsPro     bool
	AvatarURL string // relative, as whoami-v2 returns it; default: a generated avatar
	Orgs      []Membership
}

// Membership is a user's role in an organization.
type Membership struct {
	Org  string // org handle
	Role string // "admin", "write", "contributor" or "read"
}

// Org is an organization.
type Org struct {
	ID        string // default: derived from Name
	Name      string
	FullName  string // default: Name
	AvatarURL string // default: a generated avatar
	Plan      string // "team", "enterprise" or ""
}

// Built-in accounts, the defaults of Options.Users and Options.Orgs. alice
// is granted access to the gated repo and is a writer in org acme; bob has
// no grants and no org.
const (
	UserAlice = "alice"
	UserBob   = "bob"
	OrgAcme   = "acme"
)

// DefaultUsers returns the built-in users, alice and bob, as Options.Users
// would spell them: a starting point for a test that adds its own.
func DefaultUsers() []User {
	return []User{
		{Name: UserAlice, FullName: "Alice Martin", Email: "alice@example.com", IsPro: true,
			Orgs: []Membership{{Org: OrgAcme, Role: "write"}}},
		{Name: UserBob, FullName: "Bob Chen", Email: "bob@example.com"},
	}
}

// DefaultOrgs returns the built-in organization, acme.
func DefaultOrgs() []Org {
	return []Org{{Name: OrgAcme, FullName: "Acme Corp", Plan: "team"}}
}

// objectID returns a stable 24-hex id for a name, like the Hub's Mongo ids.
func objectID(kind, name string) string {
	sum := sha1.Sum([]byte("hubsim:" + kind + ":" + name))
	return hex.EncodeToString(sum[:12])
}

func avatarURL(name string) string {
	sum := sha1.Sum([]byte("avatar:" + name))
	return "/avatars/" + hex.EncodeToString(sum[:16]) + ".svg"
}

// roles are the org roles, least privileged first (hub-docs
// organizations-security.md).
var roles = []string{"read", "contributor", "write", "admin"}

// handle matches a user or org name as the Hub allows them: letters, digits,
// '-', '_' and '.', starting with a letter or digit.
var handle = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$`)

// identities holds users, orgs, gated grants and live access tokens. Users
// change at run time (SetMembership, SetDisabled): each change stores a new
// *User, so a *User once handed out is never modified and may be read
// without the lock.
type identities struct {
	mu       sync.Mutex
	users    map[string]*User
	order    []string // user names in Options order, for the consent page
	disabled map[string]bool
	orgs     map[string]*Org // fixed after New
	tokens   map[string]*accessToken
	grants   map[repoKey]map[string]bool
	sessions map[string]*session
}

// newIdentities checks and fills in the users and orgs of opts, and the
// gated grants of the catalog and opts.
func newIdentities(opts Options, idx *catalogIndex) (*identities, error) {
	users, orgs := opts.Users, opts.Orgs
	if users == nil {
		users = DefaultUsers()
	}
	if orgs == nil {
		orgs = DefaultOrgs()
	}
	ids := &identities{users: map[string]*User{}, disabled: map[string]bool{}, orgs: map[string]*Org{},
		tokens: map[string]*accessToken{}, grants: map[repoKey]map[string]bool{}, sessions: map[string]*session{}}
	for _, o := range orgs {
		if !handle.MatchString(o.Name) || ids.orgs[o.Name] != nil {
			return nil, fmt.Errorf("org %q: the name is invalid or used twice", o.Name)
		}
		o.ID = cmpOr(o.ID, objectID("org", o.Name))
		o.FullName = cmpOr(o.FullName, o.Name)
		o.AvatarURL = cmpOr(o.AvatarURL, avatarURL(o.Name))
		ids.orgs[o.Name] = &o
	}
	for _, u := range users {
		if !handle.MatchString(u.Name) || ids.users[u.Name] != nil || ids.orgs[u.Name] != nil {
			return nil, fmt.Errorf("user %q: the name is invalid or used twice", u.Name)
		}
		for _, m := range u.Orgs {
			if err := ids.checkMembership(m.Org, m.Role); err != nil {
				return nil, fmt.Errorf("user %q: %w", u.Name, err)
			}
		}
		u.ID = cmpOr(u.ID, objectID("user", u.Name))
		u.FullName = cmpOr(u.FullName, u.Name)
		u.AvatarURL = cmpOr(u.AvatarURL, avatarURL(u.Name))
		u.Orgs = slices.Clone(u.Orgs)
		ids.users[u.Name] = &u
		ids.order = append(ids.order, u.Name)
	}
	for _, re := range idx.order {
		for _, name := range re.Granted {
			if opts.Users != nil && ids.users[name] == nil {
				continue // a catalog's grant to a default user the test replaced
			}
			if err := ids.grant(re, name, true); err != nil {
				return nil, fmt.Errorf("repo %s: granted: %w", re.ID, err)
			}
		}
	}
	for _, g := range opts.Grants {
		re, _ := idx.lookupTyped(g.Repo)
		if re == nil {
			return nil, fmt.Errorf("grant: no repo %s", g.Repo)
		}
		if err := ids.grant(re, g.User, true); err != nil {
			return nil, fmt.Errorf("grant on %s: %w", g.Repo, err)
		}
	}
	return ids, nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (ids *identities) checkMembership(org, role string) error {
	if ids.orgs[org] == nil {
		return fmt.Errorf("no org %q", org)
	}
	if !slices.Contains(roles, role) {
		return fmt.Errorf("role must be one of read, contributor, write, admin, not %q", role)
	}
	return nil
}

// user returns the current record of an account, or nil if there is none.
// A disabled account is returned too: use active to authenticate.
func (ids *identities) user(name string) *User {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	return ids.users[name]
}

// active returns the current record of an account that may sign in: nil
// if it is unknown or disabled.
func (ids *identities) active(name string) *User {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.disabled[name] {
		return nil
	}
	return ids.users[name]
}

// activeUsers returns the accounts that may sign in, in Options order.
func (ids *identities) activeUsers() []*User {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	var out []*User
	for _, name := range ids.order {
		if !ids.disabled[name] {
			out = append(out, ids.users[name])
		}
	}
	return out
}

// org returns an org; orgs do not change after New.
func (ids *identities) org(name string) *Org { return ids.orgs[name] }

// orgByID finds an org by its stable id (userinfo orgs[].sub).
func (ids *identities) orgByID(id string) *Org {
	for _, o := range ids.orgs {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// sortedOrgs returns the orgs by name.
func (ids *identities) sortedOrgs() []*Org {
	out := make([]*Org, 0, len(ids.orgs))
	for _, o := range ids.orgs {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *Org) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// grant gives (or with on false, takes away) user's access to a gated repo.
func (ids *identities) grant(re *repoEntry, user string, on bool) error {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	if ids.users[user] == nil {
		return errUnknownUser(user)
	}
	g := ids.grants[re.key()]
	if g == nil {
		g = map[string]bool{}
		ids.grants[re.key()] = g
	}
	if on {
		g[user] = true
	} else {
		delete(g, user)
	}
	return nil
}

// granted reports whether user was granted access to re.
func (ids *identities) granted(re *repoEntry, user string) bool {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	return ids.grants[re.key()][user]
}
