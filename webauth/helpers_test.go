package webauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/webauth"
)

// site is a minimal app around an Auth, signing in with a hubsim: its
// /whoami page prints the caller in the request's context.
type site struct {
	hub      *hubsim.Server
	auth     *webauth.Auth
	sessions *memstore.Store
	ts       *httptest.Server
	clock    *clock

	mu       sync.Mutex
	signedIn []string // subjects SignedIn saw
	refuse   bool     // SignedIn refuses
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// startSite serves a site on hub, which must auto-approve.
func startSite(t *testing.T, hub *hubsim.Server, edit func(*webauth.Auth)) *site {
	t.Helper()
	s := &site{hub: hub, clock: &clock{now: time.Now()}}
	s.sessions = &memstore.Store{Now: s.clock.Now}
	s.ts = httptest.NewUnstartedServer(nil)
	cfg := oidcauth.HuggingFace(hub.URL())
	cfg.ClientID = hubsim.ClientPublic
	s.auth = &webauth.Auth{
		BaseURL:   "http://" + s.ts.Listener.Addr().String(),
		Providers: []webauth.Provider{{Name: "huggingface", OAuth: &cfg}, {Name: "unconfigured"}},
		Sessions:  s.sessions,
		Errors:    &webauth.Errors{Words: map[string]string{hfgate.ActionSignIn: "sign in again"}},
		Now:       s.clock.Now,
		SignedIn: func(_ context.Context, p *hfgate.Principal, res *oidcauth.Result) error {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.refuse {
				return hfgate.Errorf(hfgate.EFORBIDDEN, "this app refuses %s", p.Username)
			}
			s.signedIn = append(s.signedIn, p.Subject)
			return nil
		},
	}
	if edit != nil {
		edit(s.auth)
	}
	mux := http.NewServeMux()
	s.auth.Handle(mux)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		p := hfgate.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "%s %s %s", p.Kind, p.Subject, p.Username)
	})
	s.ts.Config.Handler = s.auth.Middleware(mux)
	s.ts.Start()
	t.Cleanup(s.ts.Close)
	return s
}

// browser returns an HTTP client with a cookie jar. It follows redirects
// unless noFollow.
func browser(t *testing.T, noFollow bool) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	if noFollow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

func (s *site) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(s.ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// signIn signs c in as user, who hubsim approves.
func (s *site) signIn(t *testing.T, c *http.Client, user string) {
	t.Helper()
	if err := s.hub.SetAutoApprove(user); err != nil {
		t.Fatal(err)
	}
	resp, body := s.get(t, c, "/auth/oauth/authorize/huggingface?return_to="+url.QueryEscape("/whoami"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, " "+user) {
		t.Fatalf("sign-in as %s ended with %s at %s: %q", user, resp.Status, resp.Request.URL, body)
	}
}

// whoami returns what /whoami says of c.
func (s *site) whoami(t *testing.T, c *http.Client) string {
	t.Helper()
	_, body := s.get(t, c, "/whoami")
	return body
}

// logout signs c out, as a page of the site does.
func (s *site) logout(t *testing.T, c *http.Client) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.ts.URL+"/auth/logout", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST /auth/logout: %s", resp.Status)
	}
}

// serve runs req through the site's handler in this goroutine, so that its
// context reaches the handler as built, and returns the body.
func (s *site) serve(req *http.Request) string {
	rec := httptest.NewRecorder()
	s.ts.Config.Handler.ServeHTTP(rec, req)
	return rec.Body.String()
}
