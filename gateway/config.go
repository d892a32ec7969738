package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/proxy"
)

// Defaults for the zero values of Config.
const (
	DefaultSessionTTL  = 7 * 24 * time.Hour // a browser session, used or not
	DefaultIdleTimeout = 12 * time.Hour     // a browser session left unused
	DefaultAccessTTL   = time.Hour          // an access token from a device sign-in
	DefaultRefreshTTL  = 90 * 24 * time.Hour
	DefaultPersonalTTL = 90 * 24 * time.Hour // a personal token without an expiry asked for
	MaxPersonalTTL     = 366 * 24 * time.Hour
	DefaultDeviceTTL   = 10 * time.Minute
	DefaultInterval    = 5 * time.Second // between two polls of a device code
	// DefaultUserinfoRefresh is how often a user's profile is read again
	// from Hugging Face while they use the gateway.
	DefaultUserinfoRefresh = 5 * time.Minute
)

// UpstreamMode says whose Hugging Face token the gateway calls the Hub
// with on a caller's behalf.
type UpstreamMode string

// Upstream modes.
const (
	// UpstreamUser: each person's own HF OAuth token, from their sign-in
	// with the huggingface provider, kept sealed and renewed by the
	// gateway, so that the Hub's own gated and private rules still apply.
	UpstreamUser UpstreamMode = "user"
	// UpstreamService: one team token, set with hfgate admin upstream
	// set-token and kept sealed under hfgate.ServiceSubject.
	UpstreamService UpstreamMode = "service"
)

// Provider is an identity provider people sign in with in a browser.
type Provider struct {
	// Name is the provider's segment in the sign-in routes and the first
	// half of its users' subjects: "huggingface", or a name of the
	// config's choosing ("okta"). "local" is reserved.
	Name string
	// Title is what the sign-in button says, e.g. "Hugging Face".
	Title string
	// OAuth is the provider and the gateway's app there (discovery by
	// issuer). Its redirect URI is PublicURL/auth/oauth/callback/{Name}.
	OAuth oidcauth.Config
}

// Admins are who may use the admin API: users by HF username (or by
// subject), and members of orgs with at least a role.
type Admins struct {
	Users []string
	Orgs  []OrgRole
}

// OrgRole is an HF org and the least role in it.
type OrgRole struct {
	Org, Role string
}

// Config configures a gateway. PublicURL, Store and Hub are required;
// every other zero value is documented.
type Config struct {
	// PublicURL is where clients and browsers reach the gateway, e.g.
	// https://hf.example.com: the issuer of its OAuth metadata, the base
	// of its redirect URIs and of the addresses it hands out. With https
	// the session cookie is Secure and __Host- prefixed. Plain http is
	// for loopback addresses only (the demo, tests).
	PublicURL string

	// Store keeps the shared state (sqlite or postgres).
	Store Store

	// Hub is the upstream Hub's endpoint, e.g. https://huggingface.co.
	Hub string

	// Providers are the browser sign-in providers; the one named
	// "huggingface" also brings users' upstream credentials (in
	// UpstreamUser mode). At least one is needed to sign in.
	Providers []Provider

	// Upstream is the upstream credential mode; "" means UpstreamUser.
	Upstream UpstreamMode

	// Lifetimes: see the Default constants. IdleTimeout < 0 means none.
	SessionTTL, IdleTimeout time.Duration
	AccessTTL, RefreshTTL   time.Duration
	DeviceTTL               time.Duration

	// DeviceInterval is the least time between two polls of a device
	// code, in whole seconds; zero means DefaultInterval.
	DeviceInterval time.Duration

	// Admins may use the admin API.
	Admins Admins

	// Sealer, if set, carries each browser sign-in in progress sealed in
	// its cookie (webauth.Auth.Sealer), so that with several replicas the
	// provider's callback may reach any of them; without it the replica
	// that began the sign-in must see the callback. cmd/hfgate passes the
	// keys that seal upstream credentials, which replicas share.
	Sealer hfgate.Sealer

	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed, for the client address in logs, audit and rate limits.
	TrustedProxies []netip.Prefix

	// Proxy configures the Hub's read API the gateway serves to HF
	// clients (package proxy: search, metadata and file downloads, decided
	// by its Policy and recorded by its Audit), behind the identity
	// middleware. The gateway sets its Upstream (Hub), PublicURL, Token
	// (the upstream mode's credential for the caller), Registerer (its
	// /metrics), Logger, RequestID, ClientIP and CallerCredentials (true
	// in upstream mode user); the rest is the caller's. With Proxy.Cache,
	// /metrics has the cache's figures and the admin API its entries
	// (GET /admin/api/cache, POST /admin/api/cache/rm and /warm).
	// With Proxy.Policy nil, Hub requests are answered 404 in the Hub's
	// shape.
	Proxy proxy.Config

	// UserinfoRefresh is how often the profile of a person who uses the
	// gateway (their HF orgs and roles) is read again from Hugging Face
	// with their own token (upstream mode user), so that a change of
	// membership reaches the policy: DefaultUserinfoRefresh when zero,
	// never when negative. RefreshUser does it at once.
	UserinfoRefresh time.Duration

	// Grants handles more grant types at POST /oauth/token, by
	// grant_type (RFC 8693 token exchange, for CI). device_code and
	// refresh_token are built in and cannot be replaced.
	Grants map[string]GrantHandler

	// HTTPClient makes requests to identity providers. If nil, oidcauth's
	// default is used.
	HTTPClient *http.Client

	// Logger receives one JSON line per request and what fails inside.
	// It never receives a token. If nil, nothing is logged.
	Logger *slog.Logger

	// Now is the clock. If nil, time.Now.
	Now func() time.Time

	// CheckTTL is how long a checked token or session is trusted in
	// process without a revocation (identity.DefaultTTL if zero).
	CheckTTL time.Duration

	// CI trusts CI jobs' ID tokens for RFC 8693 token exchange at
	// POST /oauth/token; without rules the grant is not offered. Every
	// exchange is recorded in Proxy.Audit, which it therefore requires;
	// one narrowed to a repository that Proxy.Policy lets the job neither
	// read nor download is refused at once.
	CI CI

	// ExampleRepo is the repository the start page's commands download,
	// e.g. "hubsim/tiny-llama-GGUF"; "" shows OWNER/NAME.
	ExampleRepo string
}

// CI is who may exchange a CI provider's ID token for a gateway token:
// the providers and the trust rules over their claims (see ciauth). The
// audience tokens must carry is the PublicURL.
type CI struct {
	Issuers []ciauth.Issuer
	Rules   []ciauth.Rule
}

// Store is the gateway's shared state, as sqlstore.Store provides it.
type Store interface {
	hfgate.AccountStore
	hfgate.SessionStore
	hfgate.TokenStore
	hfgate.DeviceStore
	hfgate.CredentialStore
	hfgate.RevocationNotifier
	hfgate.JTIStore
	hfgate.AuditStore
	// Ping reports whether the database answers with the schema this
	// gateway knows, for /readyz.
	Ping(ctx context.Context) error
}

// Validate reports the first problem of c as an EINVALID error. It makes
// no network calls.
func (c *Config) Validate() error {
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return hfgate.Errorf(hfgate.EINVALID, "the public URL %q is not an absolute http(s) URL without user, query or fragment", c.PublicURL)
	case strings.Trim(u.Path, "/") != "":
		return hfgate.Errorf(hfgate.EINVALID, "the public URL %q has a path; the gateway serves the Hub's paths from the root of a host", c.PublicURL)
	case u.Scheme == "http" && !hfgate.IsLoopbackHost(u.Hostname()):
		return hfgate.Errorf(hfgate.EINVALID, "the public URL %q is plain http on a host other than loopback: tokens would cross the network in clear text; use https", c.PublicURL)
	case c.Store == nil:
		return hfgate.Errorf(hfgate.EINVALID, "the gateway needs a store")
	case c.Upstream != "" && c.Upstream != UpstreamUser && c.Upstream != UpstreamService:
		return hfgate.Errorf(hfgate.EINVALID, "upstream mode %q: want %q or %q", c.Upstream, UpstreamUser, UpstreamService)
	}
	if _, err := hfgate.NormalizeEndpoint(c.Hub); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "the upstream Hub endpoint")
	}
	seen := map[string]bool{}
	for _, p := range c.Providers {
		if !hfgate.ValidProviderName(p.Name) || p.Name == "local" || seen[p.Name] {
			return hfgate.Errorf(hfgate.EINVALID, "provider name %q: want a unique name of lowercase letters, digits and '-' (not \"local\")", p.Name)
		}
		seen[p.Name] = true
		if err := p.OAuth.Validate(); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "provider %s", p.Name)
		}
	}
	for name := range c.Grants {
		if name == grantDeviceCode || name == grantRefresh || name == grantTokenExchange && len(c.CI.Rules) > 0 {
			return hfgate.Errorf(hfgate.EINVALID, "grant type %s is built in", name)
		}
	}
	return c.validateCI(seen)
}

// or returns d, or def when d is zero.
func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
