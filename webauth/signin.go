package webauth

import (
	"net/http"

	"github.com/hfgate/hfgate"
)

// authorize starts a sign-in: a pending attempt on the server under a fresh
// cookie, and a redirect to the provider. It answers a link (GET, with
// return_to in the query) and a form (POST, return_to a form field), so that
// an app may require its own token on every state-changing request, sign-ins
// included.
func (a *Auth) authorize(w http.ResponseWriter, r *http.Request) error {
	p, err := a.provider(r)
	if err != nil {
		return err
	}
	raw := r.URL.Query().Get("return_to")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "the sign-in form could not be read")
		}
		raw = r.PostForm.Get("return_to")
	}
	returnTo, err := ReturnTo(raw)
	if err != nil {
		return err
	}
	if p.OAuth == nil {
		if a.Setup == nil {
			return hfgate.Errorf(hfgate.EINVALID, "no OAuth app is configured for %s", p.Name)
		}
		return a.Setup(w, r, p)
	}
	client, err := a.client(r.Context(), p)
	if err != nil {
		return err
	}
	authURL, attempt, err := client.Begin(a.RedirectURL(p.Name))
	if err != nil {
		return err
	}
	value, err := a.beginPending(&pending{attempt: attempt, provider: p.Name, returnTo: returnTo})
	if err != nil {
		return err
	}
	a.setCookie(w, AttemptCookie, value, "/auth/oauth/", int(AttemptTTL.Seconds()))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

// callback completes a sign-in: the code is exchanged on the server (with
// the PKCE verifier, state and nonce checks of oidcauth's Exchange), the
// app keeps what it brought (SignedIn), and the browser gets a new session,
// replacing the one it had.
func (a *Auth) callback(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	prov, err := a.provider(r)
	if err != nil {
		return err
	}
	var p *pending
	if c, err := r.Cookie(a.cookie(AttemptCookie)); err == nil {
		p = a.takePending(c.Value)
	}
	a.setCookie(w, AttemptCookie, "", "/auth/oauth/", -1)
	if p != nil {
		// "Connect again" on the failure page returns to the same page.
		r = r.WithContext(withReturnTo(r.Context(), p.returnTo))
	}
	if p == nil || p.provider != prov.Name {
		a.Errors.SignInFailed(w, r, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"this sign-in was not started from this browser, or took too long").WithAction(hfgate.ActionSignIn))
		return nil
	}
	if err := a.signIn(w, r, prov, p); err != nil {
		a.Errors.SignInFailed(w, r, err)
		return nil
	}
	http.Redirect(w, r, p.returnTo, http.StatusSeeOther)
	return nil
}

// signIn exchanges the callback's code and starts a session.
func (a *Auth) signIn(w http.ResponseWriter, r *http.Request, prov *Provider, p *pending) error {
	ctx := r.Context()
	client, err := a.client(ctx, prov)
	if err != nil {
		return err
	}
	res, err := client.Exchange(ctx, p.attempt, r.URL.Query())
	if err != nil {
		return err
	}
	principal := res.Principal(prov.Name)
	if a.SignedIn != nil {
		if err := a.SignedIn(ctx, principal, res); err != nil {
			return err
		}
	}
	if old, err := r.Cookie(a.cookie(SessionCookie)); err == nil {
		// A fresh session on every sign-in prevents session fixation.
		if err := a.Sessions.DeleteSession(ctx, hfgate.SessionID(old.Value)); err != nil {
			return err
		}
	}
	ttl := a.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	secret, id := hfgate.NewSessionSecret()
	now := a.now()
	err = a.Sessions.CreateSession(ctx, &hfgate.Session{
		ID: id, Principal: principal,
		Created: now, LastSeen: now,
		IdleTimeout: a.IdleTimeout, Expires: now.Add(ttl),
	})
	if err != nil {
		return err
	}
	a.setCookie(w, SessionCookie, secret, "/", int(ttl.Seconds()))
	return nil
}
