package oidcauth

import (
	"encoding/json"

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
