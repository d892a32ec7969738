package hubsim

import (
	"net/http"
	"slices"
)

// userClaims are the user's claims for grant g, as /oauth/userinfo returns
// them and the ID token carries them (huggingface.js UserInfo; huggingface_hub
// OAuthUserInfo). email needs the email scope, canPay read-billing; orgs[]
// lists every membership, with roleInOrg (and canPay) only for orgs granted
// on the consent page (or, for roleInOrg, with read-memberships).
func (s *Server) userClaims(r *http.Request, g *grant) map[string]any {
	base := s.issuer(r)
	u := g.user
	c := map[string]any{"sub": u.ID, "isPro": u.IsPro}
	if g.has("profile") {
		c["name"] = u.FullName
		c["preferred_username"] = u.Name
		c["profile"] = base + "/" + u.Name
		c["picture"] = base + u.AvatarURL
		c["hardwareItems"] = []any{} // hardware.md: added with profile
	}
	if g.has("email") {
		c["email"] = u.Email
		c["email_verified"] = true // HF requires a verified email to authorize apps
	}
	if g.has("read-billing") {
		c["canPay"] = false
	}
	orgs := []map[string]any{}
	for _, m := range u.Orgs {
		o := s.ids.org(m.Org)
		granted := slices.Contains(g.orgs, m.Org)
		e := map[string]any{"sub": o.ID, "name": o.FullName, "preferred_username": o.Name, "picture": base + o.AvatarURL}
		if o.Plan != "" {
			e["plan"] = o.Plan
		}
		if granted || g.has("read-memberships") {
			e["roleInOrg"] = m.Role
		}
		if granted && g.has("read-billing") {
			e["canPay"] = false
		}
		orgs = append(orgs, e)
	}
	c["orgs"] = orgs
	return c
}

// handleUserinfo is GET or POST /oauth/userinfo with a bearer token. An
// OAuth token needs the openid scope. UNVERIFIED: whether huggingface.co
// answers classic hf_ tokens here; they are treated as granting
// openid, profile, email and every org.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(r)
	if !ok || p.anonymous() {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token",
			"error_description": "a valid access token is required"})
		return
	}
	g := &grant{user: p.user, scopes: p.tok.scopes, orgs: p.tok.orgs}
	if p.tok.kind == classicToken {
		g.scopes, g.orgs = []string{"openid", "profile", "email"}, memberships(p.user)
	}
	if !g.has("openid") {
		w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="openid"`)
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope",
			"error_description": "the token was not granted the openid scope"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.userClaims(r, g))
}

// handleWhoami is GET /api/whoami-v2 (reference hf-oauth.md §7), with the
// user's memberships as they are now. OAuth tokens see only the orgs
// granted on the consent page (all of them with read-memberships), and the email only
// with the email scope (UNVERIFIED); their auth block is
// {"type":"app_token_as_user","expiresAt":…}, with no accessToken object
// (seen in third-party fixtures; UNVERIFIED).
func (s *Server) handleWhoami(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authenticate(r)
	switch {
	case !ok:
		errInvalidCredentials.write(w, r)
		return
	case p.anonymous():
		writeHubError(w, r, http.StatusUnauthorized, "", "Invalid username or password.")
		return
	}
	u, t := p.user, p.tok
	var email any
	if t.kind == classicToken || p.hasScope("email") {
		email = u.Email
	}
	orgs := []map[string]any{}
	for _, m := range u.Orgs {
		// An OAuth token sees the orgs granted on the consent page, or
		// with read-memberships every membership (UNVERIFIED: hub-docs
		// oauth.md says the scope reads "organizations and roles").
		role := p.orgRole(m.Org)
		if role == "" && p.hasScope("read-memberships") {
			role = m.Role
		}
		if role == "" {
			continue
		}
		o := s.ids.org(m.Org)
		e := map[string]any{"type": "org", "id": o.ID, "name": o.Name, "fullname": o.FullName, "email": nil,
			"canPay": false, "avatarUrl": o.AvatarURL, "roleInOrg": role, "periodEnd": nil,
			"isEnterprise": o.Plan == "enterprise"}
		if o.Plan != "" {
			e["plan"] = o.Plan
		}
		orgs = append(orgs, e)
	}
	auth := map[string]any{"type": "app_token_as_user", "expiresAt": hubTime(t.expires)}
	if t.kind == classicToken {
		at := map[string]any{"displayName": t.displayName, "role": t.role, "createdAt": hubTime(t.created)}
		auth = map[string]any{"type": "access_token", "accessToken": at}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"type": "user", "id": u.ID, "name": u.Name, "fullname": u.FullName,
		"email": email, "emailVerified": true, "canPay": false, "isPro": u.IsPro, "periodEnd": nil,
		"avatarUrl": u.AvatarURL, "billingMode": "postpaid", "orgs": orgs, "auth": auth,
	})
}
