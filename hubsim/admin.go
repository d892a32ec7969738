package hubsim

import (
	"encoding/json"
	"net/http"
	"time"
)

// registerAdmin adds the /_hubsim/ routes that scripted tests (and other
// processes, such as the Node suite) use to set up state. The real Hub has
// no such routes. Bodies are JSON objects; errors answer 400 {"error": …}.
//
//	POST /_hubsim/tokens {"user":"alice","role":"read"}  -> {"token":"hf_…"}
//	POST /_hubsim/clock  {"advance":"9h"}                -> {"now":"…"}
//	PUT  /_hubsim/auto-approve {"user":"alice"}          -> {"user":"alice"} ("" turns it off)
//	POST /_hubsim/revoke {"user":"alice"}                -> {"revoked":2} (the user's OAuth tokens)
//	PUT  /_hubsim/memberships {"user":"bob","org":"acme","role":"read"} ("" role removes)
//	PUT  /_hubsim/grants {"repo":"meta-llama/…","user":"bob","granted":true}
//	PUT  /_hubsim/users/disabled {"user":"bob","disabled":true}
//	POST /_hubsim/approvals {"user":"bob","client_id":"hubsim-public"[,"state":…]} or {"user":…,"user_code":…}
//	POST /_hubsim/login {"user":"alice","autoApprove":true}  -> Set-Cookie hubsim_session (also a form)
//	POST /_hubsim/logout                                 -> the cookie cleared
//
// and the CI provider under /_hubsim/ci/ (see ci.go).
func (s *Server) registerAdmin(mux *http.ServeMux) {
	mux.HandleFunc("POST /_hubsim/tokens", s.handleMintToken)
	mux.HandleFunc("POST /_hubsim/clock", s.handleClock)
	mux.HandleFunc("PUT /_hubsim/auto-approve", s.handleAutoApprove)
	mux.HandleFunc("POST /_hubsim/revoke", s.handleRevokeUser)
	mux.HandleFunc("PUT /_hubsim/memberships", s.handleMembership)
	mux.HandleFunc("PUT /_hubsim/grants", s.handleGrant)
	mux.HandleFunc("PUT /_hubsim/users/disabled", s.handleDisable)
	mux.HandleFunc("POST /_hubsim/approvals", s.handleApproval)
	s.registerSignIn(mux)
	s.registerCI(mux)
	s.registerFaultAdmin(mux)
}

// readAdmin decodes a JSON body of at most 64 KiB into v; it has answered
// 400 when it returns false.
func readAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON: " + err.Error()})
		return false
	}
	return true
}

// answerAdmin answers 400 with err, or 200 with ok.
func answerAdmin(w http.ResponseWriter, err error, ok any) {
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, ok)
}

func (s *Server) handleMintToken(w http.ResponseWriter, r *http.Request) {
	var req struct{ User, Role string }
	if !readAdmin(w, r, &req) {
		return
	}
	tok, err := s.MintToken(req.User, req.Role)
	answerAdmin(w, err, map[string]string{"token": tok})
}

func (s *Server) handleClock(w http.ResponseWriter, r *http.Request) {
	var req struct{ Advance string }
	if !readAdmin(w, r, &req) {
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

func (s *Server) handleAutoApprove(w http.ResponseWriter, r *http.Request) {
	var req struct{ User string }
	if !readAdmin(w, r, &req) {
		return
	}
	answerAdmin(w, s.SetAutoApprove(req.User), map[string]string{"user": req.User})
}

func (s *Server) handleRevokeUser(w http.ResponseWriter, r *http.Request) {
	var req struct{ User string }
	if !readAdmin(w, r, &req) {
		return
	}
	n, err := s.RevokeOAuth(req.User)
	answerAdmin(w, err, map[string]int{"revoked": n})
}

func (s *Server) handleMembership(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User string `json:"user"`
		Org  string `json:"org"`
		Role string `json:"role"`
	}
	if !readAdmin(w, r, &req) {
		return
	}
	answerAdmin(w, s.SetMembership(req.User, req.Org, req.Role), req)
}

func (s *Server) handleGrant(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Repo    string `json:"repo"`
		User    string `json:"user"`
		Granted bool   `json:"granted"`
	}
	if !readAdmin(w, r, &req) {
		return
	}
	set := s.RevokeAccess
	if req.Granted {
		set = s.GrantAccess
	}
	answerAdmin(w, set(req.Repo, req.User), req)
}

func (s *Server) handleDisable(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string `json:"user"`
		Disabled bool   `json:"disabled"`
	}
	if !readAdmin(w, r, &req) {
		return
	}
	answerAdmin(w, s.SetDisabled(req.User, req.Disabled), req)
}

func (s *Server) handleApproval(w http.ResponseWriter, r *http.Request) {
	var a Approval
	if !readAdmin(w, r, &a) {
		return
	}
	answerAdmin(w, s.Approve(a), a)
}
