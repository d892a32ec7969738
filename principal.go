package hfgate

import (
	"context"
	"slices"
)

// PrincipalKind says what sort of caller a Principal is.
type PrincipalKind string

// Principal kinds.
const (
	PrincipalAnonymous PrincipalKind = "anonymous" // no session and no token
	PrincipalUser      PrincipalKind = "user"      // a person signed in with an identity provider
	PrincipalCI        PrincipalKind = "ci"        // a CI job, by its provider's ID token
)

// Principal is who is calling: the person or job on whose behalf a request
// is made. The identity layer of each front end (the CLI's stored sign-in,
// the local app's session, the gateway's sessions and tokens) builds one and
// puts it in the request context with WithPrincipal; everything below
// (Hub token selection, policy, audit) reads it with PrincipalFrom.
//
// A Principal is a value read by many goroutines: treat it as immutable once
// it is in a context, and use Clone to derive a changed copy.
type Principal struct {
	Kind PrincipalKind

	// Subject is the stable, unique id of the caller across providers:
	// "<provider>:<sub>" for users (e.g. "huggingface:6523a1..."), the CI
	// provider's subject for jobs, "" for anonymous callers. It survives
	// renames; use it as the key for stored credentials, sessions and audit.
	Subject string
	// Provider names the identity provider that vouched for the caller:
	// "huggingface", a configured OIDC provider, or a CI issuer's name.
	Provider string

	Username  string // the provider's username, for display; rules read HubUsername
	Name      string // display name
	Email     string // only when the provider shared it
	AvatarURL string
	Orgs      []Org    // Hugging Face organizations with the caller's role
	Groups    []string // OIDC groups, when the provider sends them

	// Claims are the identity provider's or CI issuer's claims, as strings
	// (numbers in decimal, booleans as "true"/"false"), for exact matching.
	Claims map[string]string

	// SessionID or TokenID names what authenticated this request (the
	// stored id, never the secret), so that audit can say which one.
	SessionID string
	TokenID   string

	// Resource, when set, is the one repository the request's token is
	// narrowed to (RFC 8707; a CI token exchanged with a resource), as
	// "owner/name", "datasets/owner/name" or "spaces/owner/name". The
	// policy refuses every other repository to such a caller.
	Resource string
}

// Anonymous is the principal of a caller with no session and no token.
var Anonymous = &Principal{Kind: PrincipalAnonymous}

// LocalSubject is the Subject of Local, and the subject under which a
// CredentialStore keeps "the account signed in for this endpoint" of the
// command line: whichever account the last sign-in on this machine chose
// (or HF_TOKEN, which wins over it). It has no ':' and so never equals the
// "<provider>:<sub>" subject of a signed-in user.
const LocalSubject = "local"

// Local is the person at this machine, as the command line knows them: no
// session, no gateway token, but the credentials stored for LocalSubject.
// cmd/hfgate puts it in the context of every command.
var Local = &Principal{Kind: PrincipalUser, Subject: LocalSubject}

// ProviderHuggingFace is the Provider of callers whom Hugging Face itself
// vouched for (a sign-in with the Hub, or a Hub token).
const ProviderHuggingFace = "huggingface"

// ValidProviderName reports whether s may name an identity provider or a
// CI issuer, the prefix of the subjects of those it vouches for
// ("<name>:<sub>"): 1 to 32 lowercase ASCII letters, digits and '-'.
func ValidProviderName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// HubUsername returns p's Hugging Face username: Username when the Hub
// vouched for p, else "". Another provider's username is only that
// provider's word, and names are not unique across providers (anyone may
// call themselves "alice" on a self-service OIDC provider), so the rules and
// admin lists that name Hugging Face users must read this, not Username.
func (p *Principal) HubUsername() string {
	if p == nil || p.Provider != ProviderHuggingFace {
		return ""
	}
	return p.Username
}

// IsAnonymous reports whether p is nil or an anonymous caller.
func (p *Principal) IsAnonymous() bool { return p == nil || p.Kind == PrincipalAnonymous }

// OrgRole returns p's role in the organization named org ("admin",
// "write", "contributor" or "read"), or "" when p is not a member.
func (p *Principal) OrgRole(org string) string {
	if p == nil {
		return ""
	}
	for _, o := range p.Orgs {
		if o.Name == org {
			return o.Role
		}
	}
	return ""
}

// Clone returns a deep copy of p, for deriving a changed principal without
// touching one another goroutine may be reading.
func (p *Principal) Clone() *Principal {
	if p == nil {
		return nil
	}
	c := *p
	c.Orgs = slices.Clone(p.Orgs)
	c.Groups = slices.Clone(p.Groups)
	if p.Claims != nil {
		c.Claims = make(map[string]string, len(p.Claims))
		for k, v := range p.Claims {
			c.Claims[k] = v
		}
	}
	return &c
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx that carries p as the caller.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller carried by ctx, or Anonymous when there
// is none. It never returns nil.
func PrincipalFrom(ctx context.Context) *Principal {
	if p, _ := ctx.Value(principalKey{}).(*Principal); p != nil {
		return p
	}
	return Anonymous
}
