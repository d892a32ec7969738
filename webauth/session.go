package webauth

import (
	"context"
	"net/http"

	"github.com/hfgate/hfgate"
)

// Middleware puts the caller in every request's context: the
// hfgate.Principal of the browser's live, valid session (with SessionID
// set), else hfgate.Anonymous, never a principal the context carried
// before. A use renews the session's idle timeout.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	a.init()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := hfgate.Anonymous
		if s := a.live(r); s != nil {
			p = s.Principal.Clone()
			p.SessionID = s.ID
		}
		next.ServeHTTP(w, r.WithContext(hfgate.WithPrincipal(r.Context(), p)))
	})
}

// live returns the live, valid session of r's cookie, or nil.
func (a *Auth) live(r *http.Request) *hfgate.Session {
	c, err := r.Cookie(a.cookie(SessionCookie))
	if err != nil || c.Value == "" {
		return nil
	}
	ctx := r.Context()
	s, err := a.Sessions.LoadSession(ctx, hfgate.SessionID(c.Value))
	if err != nil {
		if hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
			a.logError(ctx, "load session", err)
		}
		return nil
	}
	if a.Valid != nil && !a.Valid(ctx, s) {
		return nil
	}
	if now := a.now(); now.Sub(s.LastSeen) >= touchEvery {
		if err := a.Sessions.TouchSession(ctx, s.ID, now); err != nil {
			a.logError(ctx, "touch session", err)
		}
	}
	return s
}

func (a *Auth) logError(ctx context.Context, what string, err error) {
	if l := a.Errors.Logger; l != nil {
		l.ErrorContext(ctx, "webauth: "+what, "err", err)
	}
}

// logout ends the browser's session; when it was signed in, SignedOut runs
// first. A request without a session ends nothing.
func (a *Auth) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(a.cookie(SessionCookie)); err == nil {
		if s := a.live(r); s != nil && a.SignedOut != nil {
			if err := a.SignedOut(r.Context(), s.Principal); err != nil {
				return err
			}
		}
		if err := a.Sessions.DeleteSession(r.Context(), hfgate.SessionID(c.Value)); err != nil {
			return err
		}
	}
	a.setCookie(w, SessionCookie, "", "/", -1)
	if WantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// session answers GET /auth/session: whether the browser is signed in, and
// as whom. It never holds a token.
func (a *Auth) session(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	out := map[string]any{}
	if a.SessionFields != nil {
		for k, v := range a.SessionFields(r) {
			out[k] = v
		}
	}
	p := hfgate.PrincipalFrom(r.Context())
	out["signed_in"] = !p.IsAnonymous()
	if !p.IsAnonymous() {
		out["username"], out["name"], out["avatar_url"], out["provider"] = p.Username, p.Name, p.AvatarURL, p.Provider
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// SessionSecret returns the secret in r's session cookie (under its name on
// this server: prefixed over https), or "" when there is none. For an app
// that checks sessions its own way (with a cache, say) instead of
// Middleware; it never logs the secret, nor may the caller.
func (a *Auth) SessionSecret(r *http.Request) string {
	a.init()
	c, err := r.Cookie(a.cookie(SessionCookie))
	if err != nil {
		return ""
	}
	return c.Value
}
