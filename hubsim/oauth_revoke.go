package hubsim

import (
	"encoding/json"
	"net/http"
)

// revokeValues revokes access and refresh tokens by value.
func (s *Server) revokeValues(values []string) {
	s.oauth.mu.Lock()
	for _, v := range values {
		delete(s.oauth.refresh, v)
	}
	s.oauth.mu.Unlock()
	for _, v := range values {
		s.ids.revokeToken(v)
	}
}

// RevokeOAuth revokes every OAuth access and refresh token of user, as if
// they had revoked the app at huggingface.co/settings/connected-applications.
// Classic hf_ tokens are not touched. It returns how many tokens were
// revoked, and fails for an unknown user.
func (s *Server) RevokeOAuth(user string) (int, error) {
	if s.ids.user(user) == nil {
		return 0, errUnknownUser(user)
	}
	n := s.ids.revokeWhere(func(t *accessToken) bool { return t.kind == oauthToken && t.user == user })
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	for v, rt := range s.oauth.refresh {
		if rt.user.Name == user {
			delete(s.oauth.refresh, v)
			n++
		}
	}
	return n, nil
}

// handleRevokeCredentials is POST /api/credentials/revoke
// {"credentials":["<token>",…]} (hub-docs security-tokens.md): it revokes
// the listed tokens of any kind and always answers 202. UNVERIFIED whether
// huggingface.co revokes hf_oauth_ tokens this way; hubsim does.
func (s *Server) handleRevokeCredentials(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Credentials []string `json:"credentials"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", "body must be JSON: {\"credentials\": [\"<token>\"]}")
		return
	}
	s.revokeValues(req.Credentials)
	w.WriteHeader(http.StatusAccepted)
}
