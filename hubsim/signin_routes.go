package hubsim

import (
	"encoding/json"
	"net/http"
	"strings"
)

// registerSignIn adds hubsim's own sign-in, the stand-in for a
// huggingface.co browser session: GET /_hubsim/login shows a form, POST
// /_hubsim/login (form, or JSON {"user", "autoApprove"}) sets the
// SessionCookie, POST /_hubsim/logout clears it. A browser test signs each
// context in (or posts with the context's request API, which shares its
// cookies) and then runs an app's sign-in there.
func (s *Server) registerSignIn(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	mux.HandleFunc("GET /_hubsim/login", s.handleLoginPage)
	mux.Handle("POST /_hubsim/login", csrf.Handler(http.HandlerFunc(s.handleLogin)))
	mux.Handle("POST /_hubsim/logout", csrf.Handler(http.HandlerFunc(s.handleLogout)))
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	d := struct {
		Title string
		Users []*User
	}{"Sign in", s.ids.activeUsers()}
	writePage(w, http.StatusOK, "login", d)
}

// handleLogin signs the browser in. A JSON request gets JSON back; a form
// gets a page.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User        string `json:"user"`
		AutoApprove bool   `json:"autoApprove"`
	}
	isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	if isJSON {
		if !readAdmin(w, r, &req) {
			return
		}
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			writeErrorPage(w, http.StatusBadRequest, "The form could not be read.")
			return
		}
		req.User = r.PostForm.Get("user")
		req.AutoApprove, _ = parseBool("autoApprove", r.PostForm.Get("autoApprove"))
	}
	c, err := s.SignIn(req.User, req.AutoApprove)
	switch {
	case err != nil && isJSON:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	case err != nil:
		writeErrorPage(w, http.StatusBadRequest, "No such user: choose one of the listed users.")
		return
	}
	http.SetCookie(w, c)
	if isJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(req)
		return
	}
	writePage(w, http.StatusOK, "done", map[string]string{"Title": "Signed in",
		"Message": "You are signed in to hubsim as " + req.User + "."})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	s.signOut(r)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
	writeJSON(w, http.StatusOK, map[string]bool{"signedOut": true})
}
