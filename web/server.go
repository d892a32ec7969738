package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/oidcauth"
)

// Server is the web app. Set the fields, then call Handler once; do not
// change the fields afterwards. Hub, Endpoint, Credentials and BaseURL are
// required; every other zero value is documented.
type Server struct {
	// Hub answers searches, model details and file lists. Its Token
	// function should return the stored access token only when
	// UserCredentials(ctx) is true (cmd/hfgate wires it so).
	Hub hfgate.Hub

	// Endpoint is the Hub's base URL, e.g. https://huggingface.co: the key
	// of the credential in Credentials and the base of repository links.
	Endpoint string

	// OAuth is the provider and OAuth app to sign in with, as for
	// oidcauth.Open. The client is opened on the first sign-in, not before.
	// If nil, no app is configured and "Connect Hugging Face" explains how
	// to register one.
	OAuth *oidcauth.Config

	// Credentials is where a sign-in's tokens are kept: the command line's
	// own store, so that both see one sign-in.
	Credentials CredentialStore

	// BaseURL is where the browser reaches this server, e.g.
	// http://127.0.0.1:41234. It gives the OAuth redirect URI and the only
	// Host header accepted (a "localhost" Host on the same port is
	// redirected to it).
	BaseURL string

	// Downloads runs downloads. If nil, the download endpoints answer 503.
	Downloads *Downloads

	// CacheDir is the hub cache downloads go into, shown in the page
	// footer. If empty, the footer says "the Hugging Face cache".
	CacheDir string

	// Budget is the memory a model may use on this machine, against which
	// GGUF files are judged. The zero Budget is unknown: every verdict is
	// "unknown".
	Budget fit.Budget

	// Open reads the GGUF headers of a repository's files (ranged reads
	// only), for quantization and memory estimates and recommendations. The
	// context it gets carries the request's credentials (see
	// UserCredentials). If nil, files show sizes only and nothing is
	// recommended.
	Open fit.OpenerFor

	// Logger receives internal errors. It never receives a token. If nil,
	// nothing is logged.
	Logger *slog.Logger

	// Now is the clock for sessions. If nil, time.Now is used.
	Now func() time.Time

	once      sync.Once
	handler   http.Handler
	base      *url.URL
	sessions  *sessions
	oauthMu   sync.Mutex
	oauth     *oidcauth.Client
	csp       string
	recommend recommendCache
}

// Handler returns the app's http.Handler. It panics if a required field is
// missing, which is a bug in the caller.
func (s *Server) Handler() http.Handler {
	s.once.Do(s.init)
	return s.handler
}

func (s *Server) init() {
	base, err := url.Parse(s.BaseURL)
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		panic("web: Server.BaseURL must be an absolute http(s) URL")
	}
	if s.Hub == nil || s.Credentials == nil || s.Endpoint == "" {
		panic("web: Server needs Hub, Credentials and Endpoint")
	}
	s.base = base
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.sessions = newSessions(s.Now)
	s.csp = s.contentSecurityPolicy()

	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, hfgate.Errorf(hfgate.EFORBIDDEN,
			"this request came from another site and was refused: use hfgate's own pages"))
	}))
	s.handler = s.checkHost(s.secureHeaders(csrf.Handler(mux)))
}

func (s *Server) routes(mux *http.ServeMux) {
	h := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				s.fail(w, r, err)
			}
		})
	}
	mux.Handle("GET /auth/oauth/authorize/huggingface", h(s.authorize))
	mux.Handle("GET /auth/oauth/callback/huggingface", h(s.callback))
	mux.Handle("POST /auth/logout", h(s.logout))
	mux.Handle("GET /auth/session", h(s.session))

	mux.Handle("GET /api/search", h(s.apiSearch))
	mux.Handle("GET /api/models/{id...}", h(s.apiModel))
	mux.Handle("GET /api/recommendations", h(s.apiRecommend))
	mux.Handle("GET /api/downloads", h(s.apiDownloads))
	mux.Handle("POST /api/downloads", h(s.apiStartDownload))
	mux.Handle("POST /api/downloads/{id}/cancel", h(s.apiCancelDownload))
	mux.Handle("POST /api/downloads/{id}/resume", h(s.apiResumeDownload))
	mux.Handle("/api/", h(func(http.ResponseWriter, *http.Request) error {
		return hfgate.Errorf(hfgate.ENOTFOUND, "no such API endpoint")
	}))

	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	mux.Handle("GET /{$}", h(s.pageSearch))
	mux.Handle("GET /models/{id...}", h(s.pageModel))
	mux.Handle("GET /downloads", h(s.pageDownloads))
	mux.Handle("/", h(func(http.ResponseWriter, *http.Request) error {
		return hfgate.Errorf(hfgate.ENOTFOUND, "there is no such page")
	}))
}

// redirectURL is the OAuth redirect URI of this server.
func (s *Server) redirectURL() string {
	return strings.TrimRight(s.BaseURL, "/") + callbackPath
}

const callbackPath = "/auth/oauth/callback/huggingface"

// oauthClient opens the OAuth client on first use and keeps it. A failed
// Open is retried on the next call.
func (s *Server) oauthClient(ctx context.Context) (*oidcauth.Client, error) {
	s.oauthMu.Lock()
	defer s.oauthMu.Unlock()
	if s.oauth != nil {
		return s.oauth, nil
	}
	if s.OAuth == nil {
		return nil, errNoOAuthApp
	}
	c, err := oidcauth.Open(ctx, *s.OAuth)
	if err != nil {
		return nil, err
	}
	s.oauth = c
	return c, nil
}

var errNoOAuthApp = hfgate.Errorf(hfgate.EINVALID, "no OAuth app is configured")
