package oidcauth

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/hfgate/hfgate"
)

// Principal returns who signed in, as an hfgate.Principal of kind user:
// Subject is "<provider>:<sub>" (provider names the identity provider in
// the caller's configuration, e.g. "huggingface"), with the username, name,
// email, avatar and organizations of User, and Claims holding the
// userinfo (or ID token) claims that are strings, numbers or booleans.
func (r *Result) Principal(provider string) *hfgate.Principal {
	return &hfgate.Principal{
		Kind:      hfgate.PrincipalUser,
		Subject:   provider + ":" + r.User.ID,
		Provider:  provider,
		Username:  r.User.Username,
		Name:      r.User.FullName,
		Email:     r.User.Email,
		AvatarURL: r.User.AvatarURL,
		Orgs:      append([]hfgate.Org(nil), r.User.Orgs...),
		Claims:    flatClaims(r.Claims),
	}
}

// flatClaims keeps the top-level claims that are scalars, as strings for
// exact matching: numbers in decimal, booleans as "true" or "false".
func flatClaims(raw json.RawMessage) map[string]string {
	var all map[string]json.RawMessage
	if json.Unmarshal(raw, &all) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range all {
		var x any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&x) != nil {
			continue
		}
		switch x := x.(type) {
		case string:
			out[k] = x
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = strconv.FormatBool(x)
		}
	}
	return out
}
