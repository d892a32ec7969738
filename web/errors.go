package web

import (
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// words is how the app words the advice of each hfgate Action: it points
// at the page, not at command lines.
var words = map[string]string{
	hfgate.ActionSignIn:       "sign in with Connect Hugging Face",
	hfgate.ActionListFiles:    "the model page lists the files",
	hfgate.ActionResume:       "resume the download: finished bytes are kept",
	hfgate.ActionFreeSpace:    "free some space, or start hfgate with another cache (HF_HUB_CACHE), then resume the download",
	hfgate.ActionChooseFolder: "start hfgate with a cache folder you can write to (HF_HUB_CACHE or HF_HOME)",
	hfgate.ActionSetMemory:    "start hfgate with the memory a model may use stated",
}

// userMessage is the user-safe message of err for a browser, with the
// app's advice.
func userMessage(err error) string { return webauth.Message(err, words) }

// errorPage renders a failed request or sign-in as a page of the app.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, p webauth.ErrorPage) error {
	page := "error"
	if p.SignIn {
		page = "signin-error"
	}
	d := s.pageData(r, p.Title, p.Message)
	if p.SignIn && p.ReturnTo != "" {
		d.ReturnTo = p.ReturnTo // "Connect again" goes back where the sign-in began
	}
	return s.render(w, r, p.Status, page, d)
}
