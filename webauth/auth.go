package webauth

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
)

// Cookie names. Over https they get the __Host- (session) and __Secure-
// (pending sign-in) prefixes, which browsers accept only from a secure
// origin and, for __Host-, only for the whole host.
const (
	SessionCookie = "hfgate_session"
	AttemptCookie = "hfgate_signin"
)

// Lifetimes.
const (
	// DefaultSessionTTL is how long a session lasts at most, used or not.
	DefaultSessionTTL = 7 * 24 * time.Hour
	// AttemptTTL is how long a sign-in may take from the authorize route
	// to the callback.
	AttemptTTL = oidcauth.DefaultAttemptTTL
	// touchEvery is how stale a session's LastSeen may get before a
	// request records a new one: one store write a minute, not one per
	// request.
	touchEvery = time.Minute
)

// Route paths.
const (
	authorizePath = "/auth/oauth/authorize/"
	callbackPath  = "/auth/oauth/callback/"
	sessionPath   = "/auth/session"
)

// Provider is an identity provider browsers sign in with.
type Provider struct {
	// Name is the provider's segment in the routes and its
	// Principal.Provider, e.g. "huggingface".
	Name string

	// OAuth is the provider and OAuth app, as for oidcauth.Open; the client
	// is opened on the first sign-in, not before. If nil, no app is
	// configured and the authorize route shows Auth.Setup's page.
	OAuth *oidcauth.Config
}

// Auth is the sign-in half of a web server: its routes (Handle) and its
// sessions (Middleware). BaseURL, Providers, Sessions and Errors are
// required; every other zero value is documented. Set the fields before
// first use and do not change them afterwards. An Auth is safe for
// concurrent use.
type Auth struct {
	// BaseURL is where browsers reach the server, e.g.
	// http://127.0.0.1:41234: the base of the OAuth redirect URIs
	// (BaseURL/auth/oauth/callback/{provider}). With https, cookies are
	// Secure and prefixed.
	BaseURL string

	// Providers are the identity providers, by Name.
	Providers []Provider

	// Sessions keeps the sessions.
	Sessions hfgate.SessionStore

	// SessionTTL ends a session that long after sign-in; zero means
	// DefaultSessionTTL. IdleTimeout ends a session unused that long;
	// zero means no idle limit.
	SessionTTL  time.Duration
	IdleTimeout time.Duration

	// SignedIn keeps what a sign-in brought (res.Credential, for the
	// principal's Subject or the app's choice) and may refuse the sign-in
	// with an error, which the browser is shown. The session is made only
	// after it returns nil. If nil, nothing is kept.
	SignedIn func(ctx context.Context, p *hfgate.Principal, res *oidcauth.Result) error

	// SignedOut runs when a signed-in browser signs out, before its
	// session ends; an error keeps the session. If nil, nothing runs.
	SignedOut func(ctx context.Context, p *hfgate.Principal) error

	// Valid reports whether a live session still stands (say, while the
	// app still holds the owner's credential). If nil, every live session
	// does.
	Valid func(ctx context.Context, s *hfgate.Session) bool

	// SessionFields adds fields of the app's own to GET /auth/session; they
	// never replace the ones Auth writes. If nil, there are none.
	SessionFields func(r *http.Request) map[string]any

	// Setup renders the authorize route's page for a provider without an
	// OAuth app. If nil, that is an EINVALID error.
	Setup func(w http.ResponseWriter, r *http.Request, p *Provider) error

	// Errors answers failed requests and sign-ins.
	Errors *Errors

	// Now is the clock for sessions. If nil, time.Now is used.
	Now func() time.Time

	// Sealer, if set, seals each pending sign-in (the PKCE verifier, state
	// and nonce) into its own cookie instead of keeping it in this
	// process's memory, so that the callback may reach any replica that
	// shares the keys. The verifier is then in the browser, encrypted and
	// authenticated; it is of no use without the code, which the provider
	// sends to the registered redirect URI and takes once.
	Sealer hfgate.Sealer

	// CookieSuffix is appended to the cookie names (SessionCookie,
	// AttemptCookie), e.g. an id of this server's launch. Browsers ignore
	// ports when they send cookies, so two servers on one host (two local
	// apps on two loopback ports) that share names overwrite each other's
	// cookies and receive them; distinct suffixes keep each to its own. It
	// must be letters, digits, '_' or '-'. If empty, the names are the
	// constants.
	CookieSuffix string

	once     sync.Once
	base     *url.URL
	pending  attempts
	clientMu sync.Mutex
	clients  map[string]*oidcauth.Client
}

func (a *Auth) init() {
	a.once.Do(func() {
		base, err := url.Parse(a.BaseURL)
		if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
			panic("webauth: Auth.BaseURL must be an absolute http(s) URL")
		}
		if a.Sessions == nil || a.Errors == nil || len(a.Providers) == 0 {
			panic("webauth: Auth needs Providers, Sessions and Errors")
		}
		for _, c := range a.CookieSuffix {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
				panic("webauth: Auth.CookieSuffix must be letters, digits, '_' or '-'")
			}
		}
		a.base = base
		a.pending.now = a.now
		a.clients = map[string]*oidcauth.Client{}
	})
}

func (a *Auth) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Handle registers the sign-in routes on mux. It panics if a required
// field is missing, which is a bug in the caller.
func (a *Auth) Handle(mux *http.ServeMux) {
	a.init()
	h := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				a.Errors.Write(w, r, err)
			}
		})
	}
	mux.Handle("GET "+authorizePath+"{provider}", h(a.authorize))
	mux.Handle("POST "+authorizePath+"{provider}", h(a.authorize))
	mux.Handle("GET "+callbackPath+"{provider}", h(a.callback))
	mux.Handle("POST /auth/logout", h(a.logout))
	mux.Handle("GET "+sessionPath, h(a.session))
}

// RedirectURL returns the OAuth redirect URI of provider on this server.
func (a *Auth) RedirectURL(provider string) string {
	return strings.TrimRight(a.BaseURL, "/") + callbackPath + provider
}

// provider returns the provider named in r's path.
func (a *Auth) provider(r *http.Request) (*Provider, error) {
	name := r.PathValue("provider")
	for i := range a.Providers {
		if a.Providers[i].Name == name {
			return &a.Providers[i], nil
		}
	}
	return nil, hfgate.Errorf(hfgate.ENOTFOUND, "there is no sign-in provider %q here", name)
}

// client opens p's OAuth client on first use and keeps it. A failed Open
// is retried on the next call.
func (a *Auth) client(ctx context.Context, p *Provider) (*oidcauth.Client, error) {
	a.clientMu.Lock()
	defer a.clientMu.Unlock()
	if c := a.clients[p.Name]; c != nil {
		return c, nil
	}
	c, err := oidcauth.Open(ctx, *p.OAuth)
	if err != nil {
		return nil, err
	}
	a.clients[p.Name] = c
	return c, nil
}

// cookie returns the name of cookie on this server: with CookieSuffix, and
// prefixed over https.
func (a *Auth) cookie(name string) string {
	suffix := a.CookieSuffix
	switch {
	case a.base.Scheme != "https":
		return name + suffix
	case name == SessionCookie:
		return "__Host-" + name + suffix
	default:
		return "__Secure-" + name + suffix
	}
}

// setCookie sets (maxAge > 0) or clears (maxAge < 0) a cookie.
func (a *Auth) setCookie(w http.ResponseWriter, name, value, path string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     a.cookie(name),
		Value:    value,
		Path:     path,
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   a.base.Scheme == "https",
		SameSite: http.SameSiteLaxMode,
	})
}
