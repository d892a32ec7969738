package oidcauth

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
)

// Loopback receives the authorization response for a command-line sign-in
// on http://127.0.0.1:PORT/PATH (RFC 8252 §7.3; Hugging Face accepts any
// port on a registered loopback redirect URI). Create it with
// ListenLoopback, pass RedirectURL to Client.Begin, open the authorization
// URL in a browser, then call Wait once.
//
// It never logs: the callback query holds the authorization code.
type Loopback struct {
	// Timeout bounds Wait. Zero means DefaultLoopbackTimeout. Set it before
	// calling Wait.
	Timeout time.Duration

	path      string
	ln        net.Listener
	srv       *http.Server
	reqs      chan callback
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	closeErr  error
}

// callback is one request on the redirect path, handed from the HTTP
// handler to Wait, which judges it and replies with the page to show.
type callback struct {
	query url.Values
	reply chan page // buffered; Wait always sends exactly one page
}

// ListenLoopback starts serving on 127.0.0.1 on a free port. path is the
// redirect path, e.g. "/callback" (the default when ""); it must be
// registered with the provider (as http://127.0.0.1/callback for Hugging
// Face). The server runs until Wait returns or Close is called.
func ListenLoopback(ctx context.Context, path string) (*Loopback, error) {
	if path == "" {
		path = "/callback"
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
		return nil, hfgate.Errorf(hfgate.EINVALID, "redirect path %q must start with / and have no query", path)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot listen on 127.0.0.1 for the sign-in redirect")
	}
	l := &Loopback{path: path, ln: ln, reqs: make(chan callback), done: make(chan struct{})}
	l.srv = &http.Server{
		Handler:           http.HandlerFunc(l.serveHTTP),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // a library never prints
	}
	go l.srv.Serve(ln) // returns ErrServerClosed after Close
	return l, nil
}

// RedirectURL returns http://127.0.0.1:PORT/PATH.
func (l *Loopback) RedirectURL() string {
	port := l.ln.Addr().(*net.TCPAddr).Port
	return "http://127.0.0.1:" + strconv.Itoa(port) + l.path
}

// Wait waits for the browser to come back with a's state and returns that
// request's query, for Client.Exchange. A request with a wrong or missing
// state gets an error page and does not end the wait: it is not the
// response to this sign-in. The provider's error (e.g. access_denied) ends
// the wait with that error. The browser gets a small self-contained page
// either way. Wait then shuts the server down; call it once.
//
// Errors are *hfgate.Error: EUNAUTHORIZED for a provider error or when no
// sign-in completed within Timeout; ECANCELED when ctx is canceled.
func (l *Loopback) Wait(ctx context.Context, a *Attempt) (url.Values, error) {
	defer l.Close()
	if a == nil {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no sign-in attempt to wait for")
	}
	timeout := l.timeoutOrDefault()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-l.done:
			return nil, hfgate.Errorf(hfgate.ECANCELED, "the sign-in listener was closed")
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.Canceled) {
				return nil, hfgate.WrapError(hfgate.ECANCELED, ctx.Err(), "sign-in canceled")
			}
			return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, ctx.Err(), "no sign-in completed in time").WithAction(hfgate.ActionSignIn)
		case <-timer.C:
			return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "no sign-in completed within %v", timeout).WithAction(hfgate.ActionSignIn)
		case cb := <-l.reqs:
			q := cb.query
			if !stateMatches(q.Get("state"), a.State) {
				cb.reply <- pageForeign
				continue
			}
			if pe := callbackError(q, q.Get("code"), a.Verifier); pe != nil {
				err := userError("the sign-in provider", pe, "sign-in failed")
				cb.reply <- errorPage(err)
				return nil, err
			}
			if q.Get("code") == "" {
				err := hfgate.Errorf(hfgate.EUNAUTHORIZED, "the sign-in provider redirected back without a code").WithAction(hfgate.ActionSignIn)
				cb.reply <- errorPage(err)
				return nil, err
			}
			cb.reply <- pageSignedIn
			return q, nil
		}
	}
}

func (l *Loopback) timeoutOrDefault() time.Duration {
	if l.Timeout > 0 {
		return l.Timeout
	}
	return DefaultLoopbackTimeout
}

// Close stops the server, letting a page being written finish (for up to
// two seconds). It is safe to call more than once and concurrently with Wait.
func (l *Loopback) Close() error {
	l.closeOnce.Do(func() {
		close(l.done)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := l.srv.Shutdown(ctx); err != nil {
			l.closeErr = l.srv.Close()
		}
	})
	return l.closeErr
}

// serveHTTP hands requests on the redirect path to Wait and writes the page
// Wait chooses. Other paths get 404.
func (l *Loopback) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != l.path {
		writePage(w, pageNotFound)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writePage(w, pageMethod)
		return
	}
	cb := callback{query: r.URL.Query(), reply: make(chan page, 1)}
	select {
	case l.reqs <- cb:
		writePage(w, <-cb.reply)
	case <-l.done:
		writePage(w, pageOver)
	case <-r.Context().Done():
	}
}
