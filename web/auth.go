package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/hfgate/hfgate"
)

// authorize starts a sign-in: a pending attempt on the server under a fresh
// cookie, and a redirect to the provider.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) error {
	returnTo, err := returnTarget(r.URL.Query().Get("return_to"))
	if err != nil {
		return err
	}
	client, err := s.oauthClient(r.Context())
	if errors.Is(err, errNoOAuthApp) {
		return s.render(w, r, http.StatusOK, "setup", s.pageData(r, "Connect Hugging Face", setupData{
			RedirectURI: "http://127.0.0.1" + callbackPath,
			Scopes:      "openid profile read-repos gated-repos",
		}))
	}
	if err != nil {
		return err
	}
	authURL, attempt, err := client.Begin(s.redirectURL())
	if err != nil {
		return err
	}
	id := s.sessions.begin(attempt, returnTo)
	s.setCookie(w, AttemptCookie, id, "/auth/oauth/", int(AttemptTTL.Seconds()))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// setupData is the page shown when no OAuth app is configured.
type setupData struct {
	RedirectURI string
	Scopes      string
}

// callback completes a sign-in: the code is exchanged on the server (with
// the PKCE verifier, state and nonce checks of oidcauth.Exchange), the
// tokens go to the credential store and the browser gets a session cookie.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	var p *pending
	if c, err := r.Cookie(AttemptCookie); err == nil {
		p = s.sessions.take(c.Value)
	}
	s.setCookie(w, AttemptCookie, "", "/auth/oauth/", -1)
	if p == nil {
		return s.signInFailed(w, r, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"this sign-in was not started from this browser, or took too long: connect again"))
	}
	client, err := s.oauthClient(r.Context())
	if err != nil {
		return s.signInFailed(w, r, err)
	}
	res, err := client.Exchange(r.Context(), p.attempt, r.URL.Query())
	if err != nil {
		return s.signInFailed(w, r, err)
	}
	if err := s.Credentials.Save(r.Context(), res.Credential(s.Endpoint)); err != nil {
		return s.signInFailed(w, r, hfgate.WrapError(hfgate.ErrorCode(err), err,
			"signed in, but the sign-in could not be saved: %s", userMessage(err)))
	}
	if old, err := r.Cookie(SessionCookie); err == nil {
		s.sessions.end(old.Value)
	}
	s.setCookie(w, SessionCookie, s.sessions.create(res.User), "/", int(SessionTTL.Seconds()))
	http.Redirect(w, r, p.returnTo, http.StatusSeeOther)
	return nil
}

// signInFailed shows why a sign-in failed, with a way to try again.
func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, err error) error {
	code := hfgate.ErrorCode(err)
	if code == hfgate.EINTERNAL {
		s.Logger.Error("web: sign-in", "err", err)
	}
	msg := userMessage(err)
	if code == hfgate.EINTERNAL {
		msg = "something went wrong while signing in: try again"
	}
	return s.render(w, r, statusOf(code), "signin-error", s.pageData(r, "Sign-in failed", msg))
}

// logout ends the browser's session and, if it was signed in, removes the
// stored credential: signing out here signs out the CLI too, as signing in
// did. A request without a signed-in session removes nothing.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if sess := s.sessions.get(c.Value); sess != nil {
			if err := s.Credentials.Delete(r.Context(), s.Endpoint); err != nil {
				return err
			}
		}
		s.sessions.end(c.Value)
	}
	s.setCookie(w, SessionCookie, "", "/", -1)
	if wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// sessionJSON is the answer of GET /auth/session. It never holds a token.
type sessionJSON struct {
	SignedIn     bool   `json:"signed_in"`
	Username     string `json:"username,omitempty"`
	Name         string `json:"name,omitempty"`
	AvatarURL    string `json:"avatar_url,omitempty"`
	CanSignIn    bool   `json:"can_sign_in"` // an OAuth app is configured
	ProfileURL   string `json:"profile_url,omitempty"`
	HubURL       string `json:"hub_url"`
	ProviderName string `json:"provider"`
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	out := sessionJSON{CanSignIn: s.OAuth != nil, HubURL: s.Endpoint, ProviderName: "Hugging Face"}
	if u := s.user(r); u != nil {
		out.SignedIn = true
		out.Username, out.Name, out.AvatarURL = u.Username, u.FullName, u.AvatarURL
		out.ProfileURL = s.Endpoint + "/" + u.Username
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// user returns the signed-in user of r, or nil. A session counts only while
// the credential store still holds a credential for the same account: a
// "hfgate logout" in a terminal signs the browser out too.
func (s *Server) user(r *http.Request) *hfgate.User {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil
	}
	sess := s.sessions.get(c.Value)
	if sess == nil {
		return nil
	}
	cred, err := s.Credentials.Load(r.Context(), s.Endpoint)
	if err != nil || (cred.Username != "" && cred.Username != sess.user.Username) {
		return nil
	}
	return &sess.user
}

// hubContext is the context for Hub calls made for r: with the stored
// credentials only when r has a signed-in session.
func (s *Server) hubContext(r *http.Request) context.Context {
	if s.user(r) != nil {
		return WithUserCredentials(r.Context())
	}
	return r.Context()
}
