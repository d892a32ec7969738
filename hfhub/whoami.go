package hfhub

import (
	"context"
	"net/url"
	"time"

	"github.com/hfgate/hfgate"
)

// whoamiJSON is the answer of /api/whoami-v2 (hf-oauth.md §7).
type whoamiJSON struct {
	Type      string    `json:"type"` // "user", "org" or "app"
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	FullName  string    `json:"fullname"`
	Email     string    `json:"email"`
	AvatarURL string    `json:"avatarUrl"`
	IsPro     bool      `json:"isPro"`
	Orgs      []orgJSON `json:"orgs"`
	Auth      struct {
		Type        string `json:"type"` // "access_token", "app_token" or "app_token_as_user"
		AccessToken *struct {
			DisplayName string  `json:"displayName"`
			Role        string  `json:"role"` // "read", "write" or "fineGrained"
			Expiration  hubTime `json:"expiration"`
		} `json:"accessToken"`
		// ExpiresAt comes with OAuth tokens (type app_token_as_user),
		// which have no accessToken object. UNVERIFIED: seen only in
		// third-party fixtures.
		ExpiresAt hubTime `json:"expiresAt"`
	} `json:"auth"`
}

type orgJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	FullName  string `json:"fullname"`
	AvatarURL string `json:"avatarUrl"`
	// RoleInOrg is in third-party fixtures but not in huggingface.js's
	// types. UNVERIFIED.
	RoleInOrg string `json:"roleInOrg"`
}

// WhoAmI returns the account the token belongs to (GET /api/whoami-v2),
// with how it authenticated in User.Auth: Type is auth.type
// ("access_token" for a user access token, "app_token_as_user" for an
// OAuth token); Role and DisplayName come with user access tokens only;
// ExpiresAt is zero for tokens that do not expire. Avatar URLs are made
// absolute.
//
// Without a token it makes no request and fails with EUNAUTHORIZED; a
// rejected token is EUNAUTHORIZED too. Other errors are those of
// hfgate.Hub.
func (c *Client) WhoAmI(ctx context.Context) (*hfgate.User, error) {
	if err := c.init(); err != nil {
		return nil, err
	}
	tok, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	if tok == "" {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s", c.endpoint.Host).WithAction(hfgate.ActionSignIn)
	}
	var w whoamiJSON
	if _, err := c.getJSON(ctx, c.apiURL("whoami-v2", nil), target{}, &w); err != nil {
		return nil, err
	}
	u := &hfgate.User{
		ID: w.ID, Username: w.Name, FullName: w.FullName, Email: w.Email,
		AvatarURL: c.absolute(w.AvatarURL), IsPro: w.IsPro,
		Auth: hfgate.TokenInfo{Type: w.Auth.Type, ExpiresAt: time.Time(w.Auth.ExpiresAt)},
	}
	if at := w.Auth.AccessToken; at != nil {
		u.Auth.Role, u.Auth.DisplayName = at.Role, at.DisplayName
		if u.Auth.ExpiresAt.IsZero() {
			u.Auth.ExpiresAt = time.Time(at.Expiration)
		}
	}
	for _, o := range w.Orgs {
		u.Orgs = append(u.Orgs, hfgate.Org{ID: o.ID, Name: o.Name, FullName: o.FullName,
			AvatarURL: c.absolute(o.AvatarURL), Role: o.RoleInOrg})
	}
	return u, nil
}

// absolute resolves a URL the Hub may send relative ("/avatars/…svg")
// against the endpoint. "" stays "".
func (c *Client) absolute(ref string) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	return c.endpoint.ResolveReference(u).String()
}
