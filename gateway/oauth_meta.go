package gateway

import (
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// Grant types.
const (
	grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"
	grantRefresh    = "refresh_token"
)

// discovery answers the authorization server metadata (RFC 8414), at the
// OpenID Connect path too, where HF clients look. The gateway issues no ID
// tokens: its JWKS is empty, and who signed in comes from userinfo. It
// signs tools in with the device grant only; the authorization endpoint,
// which OpenID clients expect to find, says so to a browser sent there.
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) error {
	pub := s.cfg.PublicURL
	grants := []string{grantDeviceCode, grantRefresh}
	if s.ci != nil {
		grants = append(grants, grantTokenExchange)
	}
	for g := range s.cfg.Grants {
		grants = append(grants, g)
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	webauth.WriteJSON(w, http.StatusOK, map[string]any{
		"issuer":                                pub,
		"authorization_endpoint":                pub + "/oauth/authorize",
		"device_authorization_endpoint":         pub + "/oauth/device",
		"token_endpoint":                        pub + "/oauth/token",
		"userinfo_endpoint":                     pub + "/oauth/userinfo",
		"jwks_uri":                              pub + "/oauth/jwks",
		"grant_types_supported":                 grants,
		"scopes_supported":                      scopesSupported,
		"token_endpoint_auth_methods_supported": []string{"none"},
		"subject_types_supported":               []string{"public"},
		// Not a registered field: tells hfgate login which public client
		// to sign in with here, without any setup.
		"hfgate_public_clients": []string{ClientHfgate, ClientHF},
	})
	return nil
}

// jwks answers an empty key set: no ID token is ever signed here.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) error {
	webauth.WriteJSON(w, http.StatusOK, map[string]any{"keys": []any{}})
	return nil
}

// authorizeEndpoint is listed because OpenID clients require one; the
// gateway signs devices in with the device grant only.
func (s *Server) authorizeEndpoint(w http.ResponseWriter, r *http.Request) error {
	return hfgate.Errorf(hfgate.EINVALID, "this gateway signs tools in with a device code: run the tool's device sign-in (hfgate login --device, hf auth login)")
}
