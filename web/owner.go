package web

import (
	"crypto/rand"
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

// Only the person who started the app may use it. Anyone on this machine
// can reach 127.0.0.1:PORT, so the app works as Jupyter does:
//
//   - the command that starts it makes a secret for this launch and puts it
//     in the URL it opens and prints (?token=...);
//   - a browser that brings the secret gets an owner cookie, named for this
//     launch, and a key held by the page's own script (localStorage, which
//     unlike cookies is kept per origin, port included), then goes on to
//     the same URL without the secret, so that it stays out of the history
//     and of any Referer;
//   - every page needs the owner cookie; every API call, every read of the
//     session and every state-changing request also needs the key, sent by
//     the page's script (header X-Hfgate-Key, or the form field hfgate_key
//     of the sign-in form).
//
// Browsers send cookies to every port of a host, so another program on
// 127.0.0.1 may receive the owner cookie and replay it; it never receives
// the key, so all it can fetch are the pages' empty shells, which hold no
// data of the owner's.

// Names the gate uses.
const (
	ownerCookie = "hfgate_owner_" // + the launch's Instance
	keyHeader   = "X-Hfgate-Key"
	keyField    = "hfgate_key"
	tokenParam  = "token"
)

// maxOwnerBrowsers bounds the browsers the owner opened the app in, kept in
// memory; the oldest is forgotten first.
const maxOwnerBrowsers = 64

// owners are the browsers that brought the launch secret.
type owners struct {
	mu       sync.Mutex
	browsers map[string]*ownerBrowser // by hfgate.SessionID of the cookie
}

type ownerBrowser struct {
	key     string
	created time.Time
}

// add records a browser and returns its cookie secret and key.
func (o *owners) add(now time.Time) (secret, key string) {
	secret, id := hfgate.NewSessionSecret()
	key = rand.Text()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.browsers == nil {
		o.browsers = map[string]*ownerBrowser{}
	}
	if len(o.browsers) >= maxOwnerBrowsers {
		var oldest string
		for k, b := range o.browsers {
			if oldest == "" || b.created.Before(o.browsers[oldest].created) {
				oldest = k
			}
		}
		delete(o.browsers, oldest)
	}
	o.browsers[id] = &ownerBrowser{key: key, created: now}
	return secret, key
}

// find returns the browser of a cookie secret, or nil.
func (o *owners) find(secret string) *ownerBrowser {
	if secret == "" {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.browsers[hfgate.SessionID(secret)]
}

// same compares two secrets in constant time.
func same(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// errNotOwner is what a request without the owner cookie gets.
var errNotOwner = hfgate.Errorf(hfgate.EUNAUTHORIZED,
	"this hfgate belongs to whoever started it: open the link it printed when it started (it holds a secret for this launch)")

// errNoKey is what a request with the cookie but without the page's key gets.
var errNoKey = hfgate.Errorf(hfgate.EFORBIDDEN,
	"this request did not come from hfgate's own page (it lacks the page's key): reload the page, or open the link hfgate printed again")

// gate lets through the owner's requests only (see above).
func (s *Server) gate(next http.Handler) http.Handler {
	cookieName := ownerCookie + s.Instance
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") {
			next.ServeHTTP(w, r) // the app's code and styles, the same for everyone
			return
		}
		if r.URL.Query().Has(tokenParam) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			s.launch(w, r, cookieName)
			return
		}
		var b *ownerBrowser
		if c, err := r.Cookie(cookieName); err == nil {
			b = s.owners.find(c.Value)
		}
		if b == nil {
			s.errors.Write(w, r, errNotOwner)
			return
		}
		if needsKey(r) && !same(requestKey(w, r), b.key) {
			s.errors.Write(w, r, errNoKey)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// needsKey reports whether r must carry the page's key: everything but the
// navigations a browser makes by itself (pages, and the provider's
// redirect back to the sign-in callback).
func needsKey(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	return webauth.WantsJSON(r) || strings.HasPrefix(r.URL.Path, "/auth/") &&
		!strings.HasPrefix(r.URL.Path, "/auth/oauth/callback/")
}

// requestKey returns the key r carries: the header, else the field of a
// form (the sign-in form, which a page submits as a navigation).
func requestKey(w http.ResponseWriter, r *http.Request) string {
	if k := r.Header.Get(keyHeader); k != "" {
		return k
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
		if err := r.ParseForm(); err == nil {
			return r.PostForm.Get(keyField)
		}
	}
	return ""
}

// launchData is what the launch page gets.
type launchData struct {
	Key  string
	Next string
}

// launch exchanges the launch secret for the owner cookie and the page's
// key, then sends the browser on to the same URL without the secret.
func (s *Server) launch(w http.ResponseWriter, r *http.Request, cookieName string) {
	if !same(r.URL.Query().Get(tokenParam), s.LaunchSecret) {
		s.errors.Write(w, r, hfgate.Errorf(hfgate.EUNAUTHORIZED,
			"this link is not the one this hfgate printed (it may be from an earlier launch): open the link it printed when it started"))
		return
	}
	q := r.URL.Query()
	q.Del(tokenParam)
	next := r.URL.Path
	if enc := q.Encode(); enc != "" {
		next += "?" + enc
	}
	if !webauth.SafePath(next) {
		next = "/"
	}
	secret, key := s.owners.add(s.Now())
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: secret, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(s.BaseURL, "https:"),
	})
	var buf strings.Builder
	if err := templates()["launch"].ExecuteTemplate(&buf, "launch", launchData{Key: key, Next: next}); err != nil {
		s.errors.Write(w, r, hfgate.WrapError(hfgate.EINTERNAL, err, "render the launch page"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(buf.String()))
}
