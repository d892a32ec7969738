package hubsim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Default lifetimes, as on huggingface.co where known.
const (
	DefaultAccessTokenTTL  = 8 * time.Hour       // hub-docs token-exchange example: expires_in 28800
	DefaultRefreshTokenTTL = 90 * 24 * time.Hour // "3 months, sliding" (HF staff, chat-ui #1217)
	DefaultIDTokenTTL      = time.Hour           // exp-iat in HF's mocked claims; UNVERIFIED
	DefaultAuthCodeTTL     = 5 * time.Minute     // UNVERIFIED; RFC 6749 §4.1.2 recommends <= 10 min
	DefaultDeviceCodeTTL   = 900 * time.Second   // huggingface_hub's fallback and the CLI docs
	DefaultDeviceInterval  = 5 * time.Second     // RFC 8628 §3.2 default
)

// Options configures a Server. The zero value serves the built-in catalog
// to the built-in users with the default lifetimes.
type Options struct {
	// Catalog is the set of repositories to serve. If nil, the built-in
	// catalog is used.
	Catalog *Catalog

	// Users and Orgs are the accounts. If Users is nil, DefaultUsers
	// (alice and bob) are used; if Orgs is nil, DefaultOrgs (acme). Empty
	// IDs, full names and avatars are filled in. Names are unique across
	// users and orgs, as Hub namespaces are.
	Users []User
	Orgs  []Org
	// Grants give users access to gated repos, in addition to the
	// catalog's Repo.Granted. Every user they name must be one of Users;
	// so must those the catalog names, unless Users is set (then the
	// catalog's grants to other users are left out).
	Grants []Grant

	// AutoApprove, if set to a user name, approves every authorization
	// request as that user with the scopes asked for, without showing the
	// consent page. For scripted tests; see also SignIn and Approve, which
	// approve per browser and per request.
	AutoApprove string

	// Token and code lifetimes. Zero means the Default constant.
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	IDTokenTTL      time.Duration
	AuthCodeTTL     time.Duration
	DeviceCodeTTL   time.Duration
	DeviceInterval  time.Duration

	// Now is the wall clock. If nil, time.Now is used. Advance shifts it.
	Now func() time.Time

	// Logger receives one line per request at debug level and server errors
	// at error level. If nil, nothing is logged.
	Logger *slog.Logger
}

// Server is a running simulated Hub. It listens on two addresses: the Hub
// itself (API, OAuth, resolve) and a separate "CDN" host that serves LFS
// file contents through signed, expiring URLs, as huggingface.co redirects to
// cas-bridge.xethub.hf.co or cdn-lfs.hf.co. Because the CDN is another host,
// clients must not send Authorization there, exactly as with the real Hub.
//
// A Server is safe for concurrent use.
type Server struct {
	opts    Options
	catalog *Catalog

	hubURL, cdnURL string
	hubSrv, cdnSrv *http.Server
	hubLn, cdnLn   net.Listener

	mu          sync.Mutex
	clockOffset time.Duration
	ids         *identities
	oauth       *oauthState
	hub         *hubState
	ci          *ciState
}

// New returns a Server that is not listening yet.
func New(opts Options) (*Server, error) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&opts.AccessTokenTTL, DefaultAccessTokenTTL)
	def(&opts.RefreshTokenTTL, DefaultRefreshTokenTTL)
	def(&opts.IDTokenTTL, DefaultIDTokenTTL)
	def(&opts.AuthCodeTTL, DefaultAuthCodeTTL)
	def(&opts.DeviceCodeTTL, DefaultDeviceCodeTTL)
	def(&opts.DeviceInterval, DefaultDeviceInterval)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cat := opts.Catalog
	if cat == nil {
		var err error
		if cat, err = BuiltinCatalog(); err != nil {
			return nil, fmt.Errorf("load built-in catalog: %w", err)
		}
	}
	s := &Server{opts: opts, catalog: cat}
	var err error
	if s.hub, err = newHubState(cat); err != nil {
		return nil, err
	}
	if s.ids, err = newIdentities(opts, cat.idx); err != nil {
		return nil, fmt.Errorf("hubsim: %w", err)
	}
	if opts.AutoApprove != "" && s.ids.user(opts.AutoApprove) == nil {
		return nil, fmt.Errorf("auto-approve: no user %q", opts.AutoApprove)
	}
	s.oauth = newOAuthState(opts.AutoApprove)
	s.ci = newCIState()
	return s, nil
}

// Start listens on hubAddr and cdnAddr (host:port; port 0 picks a free
// port) and serves until Close. Use loopback addresses.
func (s *Server) Start(hubAddr, cdnAddr string) error {
	var err error
	if s.hubLn, err = net.Listen("tcp", hubAddr); err != nil {
		return fmt.Errorf("listen on %s: %w", hubAddr, err)
	}
	if s.cdnLn, err = net.Listen("tcp", cdnAddr); err != nil {
		s.hubLn.Close()
		return fmt.Errorf("listen on %s: %w", cdnAddr, err)
	}
	s.hubURL = "http://" + s.hubLn.Addr().String()
	s.cdnURL = "http://" + s.cdnLn.Addr().String()
	s.hubSrv = &http.Server{Handler: s.HubHandler(), ReadHeaderTimeout: 10 * time.Second}
	s.cdnSrv = &http.Server{Handler: s.CDNHandler(), ReadHeaderTimeout: 10 * time.Second}
	go s.serve(s.hubSrv, s.hubLn)
	go s.serve(s.cdnSrv, s.cdnLn)
	return nil
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.opts.Logger.Error("hubsim: serve", "addr", ln.Addr().String(), "err", err)
	}
}

// URL returns the Hub's base URL, e.g. http://127.0.0.1:41234. It is also the
// OpenID Connect issuer.
func (s *Server) URL() string { return s.hubURL }

// CDNURL returns the base URL of the CDN host that LFS files redirect to.
func (s *Server) CDNURL() string { return s.cdnURL }

// Close stops both listeners and drops open connections.
func (s *Server) Close() error {
	var errs []error
	for _, srv := range []*http.Server{s.hubSrv, s.cdnSrv} {
		if srv != nil {
			errs = append(errs, srv.Close())
		}
	}
	return errors.Join(errs...)
}

// Shutdown stops both listeners and waits for open requests to finish or ctx
// to end.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	for _, srv := range []*http.Server{s.hubSrv, s.cdnSrv} {
		if srv != nil {
			errs = append(errs, srv.Shutdown(ctx))
		}
	}
	return errors.Join(errs...)
}

// Now returns the simulated time: Options.Now plus every Advance so far.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opts.Now().Add(s.clockOffset)
}

// Advance moves the simulated clock forward by d, so that tests can expire
// codes and tokens without waiting.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clockOffset += d
}
