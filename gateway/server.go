package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/identity"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/webauth"
)

// Server is a running gateway's HTTP side. Create it with New; it is safe
// for concurrent use. Close stops its background work (not the listener,
// which is the caller's).
type Server struct {
	cfg      Config
	base     *url.URL
	store    Store
	log      *slog.Logger
	checker  *identity.Checker
	auth     *webauth.Auth
	errors   *webauth.Errors
	upstream *oidcauth.TokenSource
	ci       *ciauth.Verifier // nil without CI trust rules
	verified verifications    // the audit log's last verification
	metrics  *metrics
	limits   *limits
	proxy    *proxy.Proxy // nil without a policy
	refresh  *refresher
	handler  http.Handler
	stop     func()
}

// New returns a Server for cfg, after checking it (Config.Validate).
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Upstream == "" {
		cfg.Upstream = UpstreamUser
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Hub, _ = hfgate.NormalizeEndpoint(cfg.Hub)
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	base, _ := url.Parse(cfg.PublicURL)
	s := &Server{cfg: cfg, base: base, store: cfg.Store, log: cfg.Logger}
	s.checker = &identity.Checker{Tokens: cfg.Store, Sessions: cfg.Store, Accounts: cfg.Store,
		TTL: cfg.CheckTTL, Now: cfg.Now, Logger: cfg.Logger}
	stopWatch := s.checker.Watch(cfg.Store)
	s.stop = func() { stopWatch(); s.checker.Close() }
	s.metrics = newMetrics(s.checker)
	s.limits = newLimits(cfg.Now)
	s.errors = &webauth.Errors{Logger: cfg.Logger, Words: words, Page: s.errorPage}
	s.auth = s.newAuth()
	s.upstream = s.newUpstream()
	s.refresh = s.newRefresher()
	if cfg.Proxy.Policy != nil {
		p, err := s.newProxy()
		if err != nil {
			s.stop()
			return nil, err
		}
		s.proxy = p
		if cfg.Proxy.Cache != nil {
			s.metrics.reg.MustRegister(newCacheCollector(cfg.Proxy.Cache))
		}
	}
	if len(cfg.CI.Rules) > 0 {
		var err error
		if s.ci, err = ciauth.New(cfg.ciConfig()); err != nil {
			s.stop()
			return nil, err
		}
	}
	s.handler = s.routes()
	return s, nil
}

// Close stops the Server's background work.
func (s *Server) Close() { s.stop() }

// Handler returns the gateway's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry returns the Prometheus registry /metrics serves, for the parts
// of the gateway built on this one (proxy, audit, cache) to add theirs.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// Upstream returns the source of the upstream Hub token for the caller in
// a request's context: the caller's own HF token (mode user), renewed
// ahead of expiry under a lock every replica respects, or the team's
// (mode service). It is "" for a caller without one.
func (s *Server) Upstream() *oidcauth.TokenSource { return s.upstream }

// Check returns the principal of a request's credentials, as the identity
// middleware puts it in the context; for handlers mounted elsewhere.
func (s *Server) Check(r *http.Request) (*hfgate.Principal, error) { return s.identify(r) }

// handler adapts a handler that returns an error; errors are written by
// write.
func handle(write func(http.ResponseWriter, *http.Request, error), fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			write(w, r, err)
		}
	})
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	page := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return handle(s.errors.Write, fn)
	}
	hub := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler { return handle(s.hubError, fn) }
	oauth := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler { return handle(s.oauthError, fn) }

	s.auth.Handle(mux)
	mux.Handle("GET /{$}", page(s.pageHome))
	mux.Handle("GET /account", page(s.pageAccount))
	mux.Handle("POST /account/tokens", page(s.formCreateToken))
	mux.Handle("POST /account/tokens/{id}/revoke", page(s.formRevokeToken))
	mux.Handle("POST /account/sessions/{id}/end", page(s.formEndSession))
	mux.Handle("GET /api/account", page(s.apiAccount))
	mux.Handle("POST /api/account/tokens", page(s.apiCreateToken))
	mux.Handle("POST /api/account/tokens/{id}/revoke", page(s.apiRevokeOwnToken))
	mux.Handle("POST /api/account/sessions/{id}/end", page(s.apiEndOwnSession))
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))

	mux.Handle("GET /.well-known/openid-configuration", oauth(s.discovery))
	mux.Handle("GET /.well-known/oauth-authorization-server", oauth(s.discovery))
	mux.Handle("GET /oauth/jwks", oauth(s.jwks))
	mux.Handle("POST /oauth/device", s.limits.wrap("device", s.clientIP, oauth(s.deviceAuthorization)))
	mux.Handle("GET /oauth/device", page(s.pageDevice))
	mux.Handle("POST /oauth/device/decision", page(s.deviceDecision))
	mux.Handle("POST /oauth/token", s.limits.wrap("token", s.clientIP, oauth(s.token)))
	mux.Handle("GET /oauth/authorize", page(s.authorizeEndpoint))
	mux.Handle("GET /oauth/userinfo", hub(s.userinfo))
	mux.Handle("GET /api/whoami-v2", hub(s.whoami))

	s.adminRoutes(mux, hub)
	mux.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	mux.Handle("GET /readyz", http.HandlerFunc(s.readyz))
	mux.Handle("GET /metrics", s.metrics.handler())
	var hubAPI http.Handler = hub(func(http.ResponseWriter, *http.Request) error {
		return hfgate.Errorf(hfgate.ENOTFOUND, "this gateway serves no Hub API: its config has no policy")
	})
	if s.proxy != nil {
		hubAPI = s.proxy
	}
	mux.Handle("/", hubAPI)

	fail := s.errors.Write
	h := s.identityMiddleware(hubFirst(hubAPI, pattern(mux)))
	h = webauth.CrossOrigin(fail, h)
	h = webauth.Headers(s.contentSecurityPolicy(), h)
	h = webauth.CheckHost(s.base, fail, h)
	return s.observe(h)
}

// now returns the Server's clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

// background returns a context for work that must outlive a request.
func background() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}
