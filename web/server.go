package web

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/webauth"
)

// SessionTTL is how long a browser stays signed in to the app.
const SessionTTL = webauth.DefaultSessionTTL

// Server is the web app. Set the fields, then call Handler once; do not
// change the fields afterwards. Hub, Endpoint, Credentials, Sessions and
// BaseURL are required; every other zero value is documented.
type Server struct {
	// Hub answers searches, model details and file lists. Its Token
	// function must send the credential of the caller in the request's
	// context (hfgate.PrincipalFrom), and none for hfgate.Anonymous: the
	// app puts the signed-in session's principal there, and Anonymous for
	// every other request (cmd/hfgate wires an oidcauth.TokenSource).
	Hub hfgate.Hub

	// Endpoint is the Hub's base URL, e.g. https://huggingface.co: the key
	// of the credential in Credentials and the base of repository links.
	Endpoint string

	// OAuth is the provider and OAuth app to sign in with, as for
	// oidcauth.Open. The client is opened on the first sign-in, not before.
	// If nil, no app is configured and "Connect Hugging Face" explains how
	// to register one.
	OAuth *oidcauth.Config

	// Credentials is where a sign-in's tokens are kept, under
	// hfgate.LocalSubject: the command line's own store, so that both see
	// one sign-in.
	Credentials hfgate.CredentialStore

	// Sessions keeps the browsers' sessions (memstore for one process).
	Sessions hfgate.SessionStore

	// BaseURL is where the browser reaches this server, e.g.
	// http://127.0.0.1:41234. It gives the OAuth redirect URI and the only
	// Host header accepted (a "localhost" Host on the same port is
	// redirected to it).
	BaseURL string

	// Downloads runs downloads. If nil, the download endpoints answer 503.
	Downloads *Downloads

	// CacheDir is the hub cache downloads go into: the page footer names
	// it, and the model page reads it to show which files are downloaded
	// (and their IPFS CIDs). If empty, the footer says "the Hugging Face
	// cache" and no file counts as downloaded.
	CacheDir string

	// Budget is the memory a model may use on this machine, against which
	// GGUF files are judged. The zero Budget is unknown: every verdict is
	// "unknown".
	Budget fit.Budget

	// Open reads a repository's files with ranged reads: GGUF headers, for
	// quantization and memory estimates and recommendations, and the model
	// card (README.md). The context it gets carries the caller. If nil,
	// files show sizes only, there is no model card and nothing is
	// recommended.
	Open fit.OpenerFor

	// IPFS hands downloaded files to an IPFS node ("Pin to IPFS"). If nil,
	// the page offers no pinning.
	IPFS IPFS

	// Logger receives internal errors. It never receives a token. If nil,
	// nothing is logged.
	Logger *slog.Logger

	// Now is the clock for sessions. If nil, time.Now is used.
	Now func() time.Time

	// LaunchSecret is this launch's secret, which the URL the owner opens
	// carries (?token=): only a browser that brought it may use the app
	// (see owner.go). Make it with crypto/rand (rand.Text). Required.
	LaunchSecret string

	// Instance names this launch in its cookies, so that apps on other
	// ports of this host keep their own (browsers ignore ports for
	// cookies): letters and digits. If empty, a random one is made.
	Instance string

	// CredentialSource names where the local account's credential comes
	// from when the app can neither replace nor remove it, e.g. "HF_TOKEN"
	// or "the token file of hf auth login", and "" for a sign-in kept in
	// Credentials. The page shows it. If nil, every credential counts as
	// kept in Credentials.
	CredentialSource func(ctx context.Context) string

	once      sync.Once
	owners    owners
	whoami    whoamiCache
	handler   http.Handler
	auth      *webauth.Auth
	errors    *webauth.Errors
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
	if s.Hub == nil || s.Credentials == nil || s.Sessions == nil || s.Endpoint == "" || s.LaunchSecret == "" {
		panic("web: Server needs Hub, Credentials, Sessions, Endpoint and LaunchSecret")
	}
	if s.Instance == "" {
		s.Instance = strings.ToLower(rand.Text()[:10])
	}
	for _, c := range s.Instance {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			panic("web: Server.Instance must be letters and digits")
		}
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.errors = &webauth.Errors{Logger: s.Logger, Words: words, Page: s.errorPage}
	s.auth = &webauth.Auth{
		BaseURL:       s.BaseURL,
		Providers:     []webauth.Provider{{Name: provider, OAuth: s.OAuth}},
		Sessions:      s.Sessions,
		SessionTTL:    SessionTTL,
		SignedIn:      s.signedIn,
		SignedOut:     s.signedOut,
		Valid:         s.validSession,
		SessionFields: s.sessionFields,
		Setup:         s.setupPage,
		Errors:        s.errors,
		Now:           s.Now,
		CookieSuffix:  "_" + s.Instance,
	}

	mux := http.NewServeMux()
	s.auth.Handle(mux)
	s.routes(mux)
	fail := s.errors.Write
	s.handler = webauth.CheckHost(base, fail, webauth.Headers(s.contentSecurityPolicy(),
		s.gate(webauth.CrossOrigin(fail, s.auth.Middleware(mux)))))
}

func (s *Server) routes(mux *http.ServeMux) {
	h := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := fn(w, r); err != nil {
				s.errors.Write(w, r, err)
			}
		})
	}
	mux.Handle("GET /api/search", h(s.apiSearch))
	mux.Handle("GET /api/models/{id...}", h(s.apiModel))
	mux.Handle("GET /api/fit/{id...}", h(s.apiFit))
	mux.Handle("GET /api/readme/{id...}", h(s.apiReadme))
	mux.Handle("POST /api/cache/verify", h(s.apiVerify))
	mux.Handle("GET /api/ipfs", h(s.apiIPFS))
	mux.Handle("POST /api/ipfs/pins", h(s.apiPin))
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
