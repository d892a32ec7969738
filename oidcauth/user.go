package oidcauth

import (
	"context"
	"encoding/json"

	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// standardClaims are the OpenID Connect Core §5.1 claims hfgate uses.
type standardClaims struct {
	Subject           string `json:"sub"`
	Name              string `json:"name"`
	PreferredUsername string `json:"preferred_username"`
	Email             string `json:"email"`
	Picture           string `json:"picture"`
}

func (s standardClaims) user() hfgate.User {
	return hfgate.User{
		ID:        s.Subject,
		Username:  s.PreferredUsername,
		FullName:  s.Name,
		Email:     s.Email,
		AvatarURL: s.Picture,
	}
}

// StandardUser parses the standard OpenID Connect claims (sub,
// preferred_username, name, email, picture) of userinfo or an ID token. It
// is the default Config.ParseUser, for any provider.
func StandardUser(claims []byte) (hfgate.User, error) {
	var s standardClaims
	if err := json.Unmarshal(claims, &s); err != nil {
		return hfgate.User{}, err
	}
	return s.user(), nil
}

// HuggingFaceUser parses Hugging Face userinfo: the standard claims plus
// isPro and orgs[] (sub, name, preferred_username, picture, roleInOrg),
// field names as in huggingface.js's UserInfo. roleInOrg is present only for
// organizations the user granted on the consent page; Role is "" otherwise.
func HuggingFaceUser(claims []byte) (hfgate.User, error) {
	var hf struct {
		standardClaims
		IsPro bool `json:"isPro"`
		Orgs  []struct {
			Subject           string `json:"sub"`
			Name              string `json:"name"`
			PreferredUsername string `json:"preferred_username"`
			Picture           string `json:"picture"`
			RoleInOrg         string `json:"roleInOrg"`
		} `json:"orgs"`
	}
	if err := json.Unmarshal(claims, &hf); err != nil {
		return hfgate.User{}, err
	}
	u := hf.user()
	u.IsPro = hf.IsPro
	for _, o := range hf.Orgs {
		u.Orgs = append(u.Orgs, hfgate.Org{
			ID:        o.Subject,
			Name:      o.PreferredUsername,
			FullName:  o.Name,
			AvatarURL: o.Picture,
			Role:      o.RoleInOrg,
		})
	}
	return u, nil
}

// UserInfo returns the account an access token belongs to, read from the
// provider's userinfo endpoint with Config.ParseUser. It is for tokens kept
// from an earlier sign-in; the token is sent only to the userinfo endpoint.
//
// Errors are *hfgate.Error: EINVALID when the provider has no userinfo
// endpoint; EUNAUTHORIZED when it rejects the token; EUNAVAILABLE for
// network and server failures; ECANCELED when ctx is canceled.
func (c *Client) UserInfo(ctx context.Context, accessToken string) (hfgate.User, error) {
	if c.userinfo == "" {
		return hfgate.User{}, hfgate.Errorf(hfgate.EINVALID, "%s has no userinfo endpoint", c.name())
	}
	claims, err := c.fetchUserInfo(ctx, &oauth2.Token{AccessToken: accessToken, TokenType: "Bearer"})
	if err != nil {
		return hfgate.User{}, err
	}
	u, err := c.cfg.ParseUser(claims)
	if err != nil {
		return hfgate.User{}, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot read the user profile from %s", c.cfg.Issuer)
	}
	return u, nil
}
