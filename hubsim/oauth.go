package hubsim

import "net/http"

// oauthState is the OAuth/OIDC provider's state: signing key, clients,
// pending codes, refresh tokens and device codes.
//
// TODO(oauth): discovery, authorize + consent, token, device, userinfo,
// jwks, whoami-v2.
type oauthState struct{}

func newOAuthState() (*oauthState, error) { return &oauthState{}, nil }

func (s *Server) registerOAuth(mux *http.ServeMux) {}
