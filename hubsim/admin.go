package hubsim

import (
	"encoding/json"
	"net/http"
	"time"
)

// registerAdmin adds the /_hubsim/ routes that scripted tests (and other
// processes, such as the Node suite) use to set up state. The real Hub has
// no such routes.
//
//	POST /_hubsim/tokens {"user":"alice","role":"read"}  -> {"token":"hf_…"}
//	POST /_hubsim/clock  {"advance":"9h"}                -> {"now":"…"}
//	PUT  /_hubsim/auto-approve {"user":"alice"}          -> {"user":"alice"} ("" turns it off)
//	POST /_hubsim/revoke {"user":"alice"}                -> {"revoked":2} (the user's OAuth tokens)
func (s *Server) registerAdmin(mux *http.ServeMux) {
	mux.HandleFunc("POST /_hubsim/tokens", s.handleMintToken)
	mux.HandleFunc("POST /_hubsim/clock", s.handleClock)
	mux.HandleFunc("PUT /_hubsim/auto-approve", s.handleAutoApprove)
	mux.HandleFunc("POST /_hubsim/revoke", s.handleRevokeUser)
	s.registerFaultAdmin(mux)
}

func (s *Server) handleMintToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
		Role string `json:"role"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: " + err.Error()})
		return
	}
	tok, err := s.MintToken(req.User, req.Role)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance string `json:"advance"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: " + err.Error()})
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d < 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "advance must be a non-negative duration such as 9h"})
		return
	}
	s.Advance(d)
	writeJSON(w, http.StatusOK, map[string]string{"now": s.Now().UTC().Format(time.RFC3339)})
}

// readUser decodes {"user": "…"}; it has answered 400 when ok is false.
func readUser(w http.ResponseWriter, r *http.Request) (user string, ok bool) {
	var req struct {
		User string `json:"user"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: " + err.Error()})
		return "", false
	}
	return req.User, true
}

func (s *Server) handleAutoApprove(w http.ResponseWriter, r *http.Request) {
	user, ok := readUser(w, r)
	if !ok {
		return
	}
	if err := s.SetAutoApprove(user); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": user})
}

func (s *Server) handleRevokeUser(w http.ResponseWriter, r *http.Request) {
	user, ok := readUser(w, r)
	if !ok {
		return
	}
	n, err := s.RevokeOAuth(user)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}
