package hubsim

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"time"
)

type tokenKind int

const (
	classicToken tokenKind = iota // hf_… user access token
	oauthToken                    // hf_oauth_… from /oauth/token
)

// accessToken is a bearer token the Hub accepts. It names its user, whose
// current record (memberships, disabled) applies at each request.
type accessToken struct {
	value       string
	kind        tokenKind
	user        string
	role        string   // classic tokens: "read" or "write"
	displayName string   // classic tokens
	scopes      []string // OAuth tokens
	orgs        []string // OAuth tokens: orgs granted on the consent page
	clientID    string   // OAuth tokens
	created     time.Time
	expires     time.Time // zero: never
}

func (ids *identities) addToken(t *accessToken) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	ids.tokens[t.value] = t
}

// lookupToken returns the live token with this value and its user's
// current record, or nils if the token is unknown, revoked or expired at
// now, or its user is disabled.
func (ids *identities) lookupToken(value string, now time.Time) (*accessToken, *User) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	t := ids.tokens[value]
	if t == nil || (!t.expires.IsZero() && !now.Before(t.expires)) || ids.disabled[t.user] {
		return nil, nil
	}
	return t, ids.users[t.user]
}

func (ids *identities) revokeToken(value string) {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	delete(ids.tokens, value)
}

// revokeWhere revokes every token for which match is true and returns how
// many it revoked.
func (ids *identities) revokeWhere(match func(*accessToken) bool) int {
	ids.mu.Lock()
	defer ids.mu.Unlock()
	n := 0
	for v, t := range ids.tokens {
		if match(t) {
			delete(ids.tokens, v)
			n++
		}
	}
	return n
}

// randomToken returns prefix followed by n random characters of [A-Za-z],
// the alphabet of real hf_ tokens.
func randomToken(prefix string, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// MintToken creates a classic user access token ("hf_…") for a user, as if
// they had made one at huggingface.co/settings/tokens. role is "read" or
// "write" ("" means "read"). It fails for an unknown user.
func (s *Server) MintToken(user, role string) (string, error) {
	if s.ids.user(user) == nil {
		return "", errUnknownUser(user)
	}
	switch role {
	case "":
		role = "read"
	case "read", "write":
	default:
		return "", errBadRole(role)
	}
	t := &accessToken{
		value: randomToken("hf_", 34), kind: classicToken, user: user, role: role,
		displayName: "hubsim-" + role, created: s.Now(),
	}
	s.ids.addToken(t)
	return t.value, nil
}

type errUnknownUser string

func (e errUnknownUser) Error() string { return "hubsim: no user " + string(e) }

type errBadRole string

func (e errBadRole) Error() string { return "hubsim: role must be read or write, not " + string(e) }

// principal is who made a request.
type principal struct {
	user *User        // nil when anonymous
	tok  *accessToken // nil when anonymous
}

// anonymous reports whether the request carried no token.
func (p *principal) anonymous() bool { return p.user == nil }

// hasScope reports whether the token grants an OAuth scope. Classic tokens
// are not scoped: a read token grants every read scope, a write token every
// scope.
func (p *principal) hasScope(scope string) bool {
	switch {
	case p.tok == nil:
		return false
	case p.tok.kind == classicToken:
		return p.tok.role == "write" || !strings.HasPrefix(scope, "write-") && scope != "manage-repos"
	default:
		return slices.Contains(p.tok.scopes, scope)
	}
}

// orgRole returns the user's role in org as seen through this token: a
// classic token sees every membership; an OAuth token only the orgs granted
// on the consent page. "" means no access.
func (p *principal) orgRole(org string) string {
	if p.user == nil {
		return ""
	}
	for _, m := range p.user.Orgs {
		if m.Org != org {
			continue
		}
		if p.tok.kind == oauthToken && !slices.Contains(p.tok.orgs, org) {
			return ""
		}
		return m.Role
	}
	return ""
}

// errBadCredentials is the Hub's message for an unknown or expired token.
const errBadCredentials = "Invalid credentials in Authorization header"

// authenticate resolves the Authorization header. A missing header is an
// anonymous principal; a malformed, unknown or expired token, or one of a
// disabled user, is ok=false, and the caller answers 401 with
// errBadCredentials.
func (s *Server) authenticate(r *http.Request) (p *principal, ok bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return &principal{}, true
	}
	scheme, value, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || value == "" {
		return nil, false
	}
	t, u := s.ids.lookupToken(strings.TrimSpace(value), s.Now())
	if t == nil {
		return nil, false
	}
	return &principal{user: u, tok: t}, true
}
