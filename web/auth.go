package web

import (
	"context"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/webauth"
)

// provider is the one identity provider of the app: the Hub itself.
const provider = "huggingface"

// The app's side of signing in (webauth does the rest): a browser's sign-in
// is the command line's sign-in too, kept under hfgate.LocalSubject, and
// signing out here signs the command line out.

// signedIn keeps the sign-in's tokens in the credential store, unless
// they would replace another account's (checkSignIn).
func (s *Server) signedIn(ctx context.Context, p *hfgate.Principal, res *oidcauth.Result) error {
	if err := s.checkSignIn(ctx, p.Username); err != nil {
		return err
	}
	if err := s.Credentials.SaveCredential(ctx, res.Credential(s.Endpoint, hfgate.LocalSubject)); err != nil {
		return hfgate.WrapError(hfgate.ErrorCode(err), err,
			"signed in, but the sign-in could not be saved: %s", hfgate.ErrorMessage(err)).WithAction(hfgate.ErrorAction(err))
	}
	return nil
}

// signedOut removes the stored credential.
func (s *Server) signedOut(ctx context.Context, _ *hfgate.Principal) error {
	return s.Credentials.DeleteCredential(ctx, s.Endpoint, hfgate.LocalSubject)
}

// validSession reports whether a session still stands: only while the
// local account is the session's account, so that a "hfgate logout" in a
// terminal signs the browser out too, and a token of someone else's
// (HF_TOKEN, say) never serves a session of another account.
func (s *Server) validSession(ctx context.Context, sess *hfgate.Session) bool {
	acct, err := s.account(ctx)
	return err == nil && acct != nil && acct.Username != "" && acct.Username == sess.Principal.Username
}

// sessionFields are the app's fields of GET /auth/session: besides the
// browser's sign-in, the command line's ("cli": its account and, for a
// token the app cannot remove, where it comes from; null when signed out).
func (s *Server) sessionFields(r *http.Request) map[string]any {
	out := map[string]any{"can_sign_in": s.OAuth != nil, "hub_url": s.Endpoint, "cli": nil}
	if acct, err := s.account(r.Context()); err == nil && acct != nil {
		out["cli"] = acct
	}
	if p := hfgate.PrincipalFrom(r.Context()); !p.IsAnonymous() {
		out["profile_url"] = s.Endpoint + "/" + p.Username
	}
	return out
}

// setupData is the page shown when no OAuth app is configured.
type setupData struct {
	RedirectURI string
	Scopes      string
}

// setupPage explains how to register an OAuth app.
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request, _ *webauth.Provider) error {
	return s.render(w, r, http.StatusOK, "setup", s.pageData(r, "Connect Hugging Face", setupData{
		RedirectURI: "http://127.0.0.1/auth/oauth/callback/" + provider,
		Scopes:      "openid profile read-repos gated-repos",
	}))
}
