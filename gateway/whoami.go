package gateway

import (
	"net/http"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// whoamiOrg is an org in whoami-v2.
type whoamiOrg struct {
	Type      string `json:"type"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name"`
	Fullname  string `json:"fullname,omitempty"`
	AvatarURL string `json:"avatarUrl,omitempty"`
	RoleInOrg string `json:"roleInOrg,omitempty"`
}

// whoami answers GET /api/whoami-v2 in the Hub's shape, for the caller's
// gateway token (or session): a user with the HF username and orgs with
// roles, and how the request was authenticated.
func (s *Server) whoami(w http.ResponseWriter, r *http.Request) error {
	p := hfgate.PrincipalFrom(r.Context())
	if p.IsAnonymous() {
		return hfgate.Errorf(hfgate.EUNAUTHORIZED, "Invalid credentials in Authorization header").WithAction(hfgate.ActionSignIn)
	}
	orgs := []whoamiOrg{}
	for _, o := range p.Orgs {
		orgs = append(orgs, whoamiOrg{Type: "org", ID: o.ID, Name: o.Name, Fullname: o.FullName, AvatarURL: o.AvatarURL, RoleInOrg: o.Role})
	}
	kind := "user"
	if p.Kind == hfgate.PrincipalCI {
		kind = "app"
	}
	out := map[string]any{
		"type": kind, "id": p.Subject, "name": firstNonEmpty(p.Username, p.Subject), "fullname": p.Name,
		"email": nullable(p.Email), "emailVerified": p.Claims["email_verified"] == "true", "avatarUrl": p.AvatarURL,
		"isPro": false, "canPay": false, "periodEnd": nil, "orgs": orgs,
	}
	auth, err := s.authInfo(r, p)
	if err != nil {
		return err
	}
	out["auth"] = auth
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}

// authInfo describes how p authenticated, as whoami-v2's "auth": a
// personal token as a classic access token (with its name), a device or
// CI token as an OAuth token acting for the user (with its expiry).
func (s *Server) authInfo(r *http.Request, p *hfgate.Principal) (map[string]any, error) {
	if p.TokenID == "" {
		return map[string]any{"type": "session"}, nil
	}
	tok, err := s.store.LoadToken(r.Context(), p.TokenID)
	if err != nil {
		return nil, err
	}
	if tok.Kind == hfgate.TokenPersonal {
		return map[string]any{"type": "access_token", "accessToken": map[string]any{
			"displayName": tok.Name, "role": "read", "createdAt": tok.Created.UTC().Format(time.RFC3339),
			"expiration": tok.Expires.UTC().Format(time.RFC3339)}}, nil
	}
	return map[string]any{"type": "app_token_as_user", "expiresAt": tok.Expires.UTC().Format(time.RFC3339)}, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// userinfo answers GET /oauth/userinfo (OpenID Connect Core section 5.3)
// in Hugging Face's shape, so that clients signing in to the gateway read
// the HF username and the orgs with their roles.
func (s *Server) userinfo(w http.ResponseWriter, r *http.Request) error {
	p := hfgate.PrincipalFrom(r.Context())
	if p.IsAnonymous() || p.TokenID == "" {
		return hfgate.Errorf(hfgate.EUNAUTHORIZED, "userinfo needs a gateway access token").WithAction(hfgate.ActionSignIn)
	}
	orgs := []map[string]any{}
	for _, o := range p.Orgs {
		orgs = append(orgs, map[string]any{"sub": firstNonEmpty(o.ID, o.Name), "name": firstNonEmpty(o.FullName, o.Name),
			"preferred_username": o.Name, "picture": o.AvatarURL, "roleInOrg": o.Role})
	}
	out := map[string]any{
		"sub": p.Subject, "name": firstNonEmpty(p.Name, p.Username), "preferred_username": firstNonEmpty(p.Username, p.Subject),
		"picture": p.AvatarURL, "orgs": orgs,
	}
	if p.Email != "" {
		out["email"] = p.Email
	}
	if len(p.Groups) > 0 {
		out["groups"] = p.Groups
	}
	if strings.HasPrefix(p.Subject, "huggingface:") {
		out["profile"] = strings.TrimRight(s.cfg.Hub, "/") + "/" + p.Username
	}
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, out)
	return nil
}
