package policy

import (
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// roles ranks the Hugging Face organization roles. A member whose role is
// missing or unknown ranks as read: every member can at least read.
var roles = map[string]int{"read": 1, "contributor": 2, "write": 3, "admin": 4}

func roleRank(role string) int {
	if r, ok := roles[role]; ok {
		return r
	}
	return 1
}

type subjectKind uint8

const (
	subjectUser subjectKind = iota + 1
	subjectOrg
	subjectGroup
	subjectClaim
	subjectCI
	subjectAuthenticated
	subjectAnyone
)

// subject is a compiled Subject with its phrases, made once so that
// deciding allocates nothing.
type subject struct {
	kind    subjectKind
	value   string      // user, org or group
	minRank int         // org
	claims  [][2]string // claim or CI, sorted by name

	// describe says who it is, for admins (explain): "org acme with role
	// write or higher". who says it for a caller it matched, naming no one:
	// "members of org acme". needs says what a caller lacks, for one it did
	// not match: "membership of org acme".
	describe, who, needs string
}

func compileSubject(s Subject, rule string) subject {
	var c subject
	switch {
	case s.User != "":
		c = subject{kind: subjectUser, value: s.User,
			describe: "user " + s.User, who: "this user", needs: "a user named by rule " + rule}
	case s.Org != "":
		c = subject{kind: subjectOrg, value: s.Org, minRank: roleRank(s.MinRole),
			describe: "org " + s.Org, who: "members of org " + s.Org, needs: "membership of org " + s.Org}
		if c.minRank > 1 {
			role := " with role " + s.MinRole + " or higher"
			c.describe += role
			c.who += role
			c.needs = "role " + s.MinRole + " or higher in org " + s.Org
		}
	case s.Group != "":
		c = subject{kind: subjectGroup, value: s.Group,
			describe: "group " + s.Group, who: "members of group " + s.Group, needs: "membership of group " + s.Group}
	case len(s.Claim) > 0:
		c = subject{kind: subjectClaim, claims: sortedClaims(s.Claim),
			who: "callers with these claims", needs: "the claims rule " + rule + " names"}
		c.describe = "claims " + formatClaims(c.claims)
	case len(s.CI) > 0:
		c = subject{kind: subjectCI, claims: sortedClaims(s.CI),
			who: "this CI job", needs: "a CI job named by rule " + rule}
		c.describe = "CI jobs with " + formatClaims(c.claims)
	case s.Authenticated:
		c = subject{kind: subjectAuthenticated, describe: "signed-in callers", who: "signed-in callers", needs: "signing in"}
	case s.Anyone:
		c = subject{kind: subjectAnyone, describe: "anyone", who: "anyone", needs: "nothing"}
	}
	c.describe, c.who, c.needs = printable(c.describe), printable(c.who), printable(c.needs)
	return c
}

func sortedClaims(m map[string]string) [][2]string {
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

func formatClaims(claims [][2]string) string {
	parts := make([]string, len(claims))
	for i, kv := range claims {
		parts[i] = kv[0] + "=" + kv[1]
	}
	return strings.Join(parts, ", ")
}

// match reports whether p is one of the callers s describes. Only Anyone
// matches an anonymous caller, whatever else its Principal holds; so does a
// caller of no known kind, which only a bug can make.
func (s *subject) match(p *hfgate.Principal) bool {
	if s.kind == subjectAnyone {
		return true
	}
	if p == nil || p.Kind != hfgate.PrincipalUser && p.Kind != hfgate.PrincipalCI {
		return false
	}
	switch s.kind {
	case subjectAuthenticated:
		return true
	case subjectUser:
		// Hub usernames are unique regardless of case; subjects are exact.
		// Another provider's username is not a Hub username.
		if p.Kind != hfgate.PrincipalUser {
			return false
		}
		hub := p.HubUsername()
		return hub != "" && strings.EqualFold(hub, s.value) || p.Subject == s.value
	case subjectOrg:
		for _, o := range p.Orgs {
			if strings.EqualFold(o.Name, s.value) && roleRank(o.Role) >= s.minRank {
				return true
			}
		}
	case subjectGroup:
		return slices.Contains(p.Groups, s.value)
	case subjectClaim:
		return hasClaims(p, s.claims)
	case subjectCI:
		return p.Kind == hfgate.PrincipalCI && hasClaims(p, s.claims)
	}
	return false
}

func hasClaims(p *hfgate.Principal, claims [][2]string) bool {
	for _, kv := range claims {
		if v, ok := p.Claims[kv[0]]; !ok || v != kv[1] {
			return false
		}
	}
	return true
}

// printable replaces control characters, so that text from the config
// stays on one line of a terminal, a log or an HTTP header.
func printable(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return '?'
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r < 0x20 || 0x7f <= r && r < 0xa0 }
