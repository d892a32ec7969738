package hfgate

import (
	"slices"
	"time"
)

// User is a Hub account as whoami-v2 or OIDC userinfo describe it.
type User struct {
	ID        string // stable id ("sub"); survives renames
	Username  string // handle, e.g. "alice"
	FullName  string
	Email     string // only with the email scope
	AvatarURL string
	IsPro     bool
	Orgs      []Org
	Auth      TokenInfo // how the request was authenticated (whoami-v2 only)
}

// Org is an organization the user belongs to.
type Org struct {
	ID        string
	Name      string // handle, e.g. "acme"
	FullName  string
	AvatarURL string
	Role      string // roleInOrg: "admin", "write", "contributor" or "read"; "" if not granted
}

// TokenInfo describes the token a request was made with.
type TokenInfo struct {
	Type        string // whoami-v2 auth.type: "access_token" (classic) or "app_token_as_user" (OAuth)
	Role        string // "read", "write" or "fineGrained" for classic tokens
	DisplayName string
	ExpiresAt   time.Time // zero if it does not expire
}

// Credential is what hfgate keeps after a sign-in, stored per Hub endpoint
// and subject (see CredentialStore) so that a hubsim login and a
// huggingface.co login, or two people's logins, never collide. It holds no
// ID token: the ID token is verified once at sign-in and then dropped, which
// also keeps the record under the Windows credential manager's 2560-byte cap.
type Credential struct {
	Endpoint string `json:"endpoint"` // Hub base URL, e.g. https://huggingface.co
	// Subject is whose credential this is: the Principal.Subject of its
	// owner, or LocalSubject for the command line's own sign-in.
	Subject      string    `json:"subject,omitempty"`
	Issuer       string    `json:"issuer,omitempty"`
	ClientID     string    `json:"client_id,omitempty"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"` // zero for tokens that do not expire
	Scopes       []string  `json:"scopes,omitempty"`
	Username     string    `json:"username,omitempty"`
}

// Expired reports whether the access token expires within leeway of now.
func (c *Credential) Expired(now time.Time, leeway time.Duration) bool {
	return !c.Expiry.IsZero() && !now.Add(leeway).Before(c.Expiry)
}

// Clone returns a copy of c that shares nothing with it.
func (c *Credential) Clone() *Credential {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Scopes = slices.Clone(c.Scopes)
	return &cp
}

// IsOAuth reports whether the credential came from an OAuth sign-in (and so
// may be refreshed) rather than a pasted user access token.
func (c *Credential) IsOAuth() bool { return c.RefreshToken != "" || c.ClientID != "" }
