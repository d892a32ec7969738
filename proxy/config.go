package proxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/internal/retry"
	"github.com/hfgate/hfgate/policy"
)

// Defaults of Config's zero fields.
const (
	// DefaultAttributesTTL is how long a repository's gated and private
	// attributes, read from the Hub for the policy, are trusted.
	DefaultAttributesTTL = time.Minute
	// DefaultMaxMetadata bounds one JSON answer of the Hub (a page of
	// search results, a tree page, a model's info with its file list).
	DefaultMaxMetadata = 32 << 20
	// DefaultMaxRequestBody bounds a paths-info request body, as the Hub
	// does.
	DefaultMaxRequestBody = 1 << 20
	// DefaultMetadataTimeout bounds one metadata exchange with the Hub,
	// from the request to the last byte of its answer.
	DefaultMetadataTimeout = time.Minute
	// DefaultIdleTimeout cuts a file transfer whose upstream sends nothing
	// for this long.
	DefaultIdleTimeout = time.Minute
	// DefaultAuditTimeout bounds the wait for one audit event to be
	// durable.
	DefaultAuditTimeout = 15 * time.Second
	// DefaultMaxFileSize is the largest file served: huggingface_hub
	// refuses plain HTTP downloads of larger files, and the gateway offers
	// no other way (it strips Xet).
	DefaultMaxFileSize = 50_000_000_000
	// DefaultResumes is how many times a file transfer cut by upstream is
	// resumed where it stopped before the client's connection is cut.
	DefaultResumes = 4
	// DefaultRightsTTL is how long a caller's successful auth-check on a
	// repository lets the cache serve them its files and metadata without
	// asking the Hub again (Config.CallerCredentials): a gated access
	// revoked on the Hub stops being served within it.
	DefaultRightsTTL = 5 * time.Minute
	// DefaultOfflineRights is how long such a check still counts while the
	// Hub cannot be reached.
	DefaultOfflineRights = 24 * time.Hour
)

// Decider decides whether a caller may do an action on a repository.
// *policy.Policy is one. Decide must be safe for concurrent use and fast:
// it runs on every request, several times when the policy's answer may
// depend on attributes the proxy has not read yet.
type Decider interface {
	Decide(who *hfgate.Principal, action hfgate.RepoAction, r policy.Resource) policy.Decision
}

// Recorder records audit events and returns once each is durable.
// *audit.Writer is one. Record must be safe for concurrent use; an error
// makes the proxy refuse the request it was recording (503).
type Recorder interface {
	Record(ctx context.Context, ev *hfgate.AuditEvent) error
}

// TokenFunc returns the credential the proxy sends the Hub on behalf of
// who: that person's own Hugging Face token, or the team's service token,
// as the gateway's upstream mode says; "" for none (an anonymous upstream
// request). Errors are *hfgate.Error values; the caller gets their code
// and message.
type TokenFunc func(ctx context.Context, who *hfgate.Principal) (string, error)

// Config configures a Proxy. Upstream, PublicURL, Policy and Audit are
// required; every other zero value means the documented default.
type Config struct {
	// Upstream is the Hub's endpoint, e.g. https://huggingface.co (a path
	// prefix is kept).
	Upstream string

	// PublicURL is the gateway as clients reach it, e.g.
	// https://hf.example.com, without a path: the proxy serves the Hub's
	// paths from the root of that host, and pagination Links point there.
	PublicURL string

	// Client makes the requests to the Hub and its CDN. If nil, a client
	// with NewTransport() is used. The proxy never follows a Hub redirect
	// with it (it sets its own CheckRedirect on a copy), and bounds the
	// time of every exchange itself; the transport should bound header
	// sizes and dial and TLS times, as NewTransport does.
	Client *http.Client

	// Token gives the upstream credential of each request. If nil, the
	// Hub is called anonymously.
	Token TokenFunc

	// Policy decides every request; Audit records every decision and
	// every file served.
	Policy Decider
	Audit  Recorder

	// Cache, if set, keeps the files the proxy serves and what serving
	// them without the Hub needs (see Cache in the package documentation).
	// The proxy does not close it.
	Cache *blobcache.Cache

	// CallerCredentials says that Token gives each caller their own Hub
	// credential (the gateway's upstream mode "user"), so that the Hub's
	// answer to one caller says nothing of another's rights: whatever the
	// cache serves a caller without asking the Hub with their credential
	// then needs their recent auth-check on the repository (RightsTTL).
	// With one credential for everyone (a service token), the policy alone
	// decides who gets what the cache holds.
	CallerCredentials bool

	// Registerer, if set, gets the proxy's Prometheus metrics (see
	// Metrics in the package documentation).
	Registerer prometheus.Registerer

	// Logger receives upstream failures and audit failures: codes, route
	// actions and repos, never a token or a signed URL. If nil, nothing is
	// logged.
	Logger *slog.Logger

	// RequestID returns the id of the request whose context ctx is (the
	// gateway's X-Request-Id). If nil, or when it returns "", the proxy
	// makes one and sets X-Request-Id itself.
	RequestID func(ctx context.Context) string

	// ClientIP returns the client's address for audit (after trusted
	// proxies). If nil, the host of Request.RemoteAddr is used.
	ClientIP func(r *http.Request) string

	// AttributesTTL (DefaultAttributesTTL), MaxMetadata
	// (DefaultMaxMetadata), MaxRequestBody (DefaultMaxRequestBody),
	// MetadataTimeout (DefaultMetadataTimeout), IdleTimeout
	// (DefaultIdleTimeout), AuditTimeout (DefaultAuditTimeout),
	// MaxFileSize (DefaultMaxFileSize), Resumes (DefaultResumes; a
	// negative value: none), RightsTTL (DefaultRightsTTL) and
	// OfflineRights (DefaultOfflineRights) are the bounds described with
	// their defaults.
	RightsTTL       time.Duration
	OfflineRights   time.Duration
	AttributesTTL   time.Duration
	MaxMetadata     int64
	MaxRequestBody  int64
	MetadataTimeout time.Duration
	IdleTimeout     time.Duration
	AuditTimeout    time.Duration
	MaxFileSize     int64
	Resumes         int

	// Retry paces the resumption of cut file transfers; the zero value
	// uses the retry package's defaults.
	Retry retry.Policy

	// Now is the clock. If nil, time.Now is used.
	Now func() time.Time
}

// Validate reports the first problem of c as an EINVALID *hfgate.Error.
// It makes no network calls.
func (c *Config) Validate() error {
	if _, err := hfgate.NormalizeEndpoint(c.Upstream); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "proxy: the upstream endpoint is not valid")
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "":
		return hfgate.Errorf(hfgate.EINVALID, "proxy: the public URL %q is not an absolute http(s) URL without user, query or fragment", c.PublicURL)
	case strings.Trim(u.Path, "/") != "":
		return hfgate.Errorf(hfgate.EINVALID, "proxy: the public URL %q has a path; the proxy serves the Hub's paths from the root of a host", c.PublicURL)
	case c.Policy == nil:
		return hfgate.Errorf(hfgate.EINVALID, "proxy: no policy")
	case c.Audit == nil:
		return hfgate.Errorf(hfgate.EINVALID, "proxy: no audit recorder")
	}
	return nil
}

func (c *Config) setDefaults() {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.AttributesTTL, DefaultAttributesTTL)
	def(&c.MetadataTimeout, DefaultMetadataTimeout)
	def(&c.IdleTimeout, DefaultIdleTimeout)
	def(&c.AuditTimeout, DefaultAuditTimeout)
	def(&c.RightsTTL, DefaultRightsTTL)
	def(&c.OfflineRights, DefaultOfflineRights)
	def64(&c.MaxMetadata, DefaultMaxMetadata)
	def64(&c.MaxRequestBody, DefaultMaxRequestBody)
	def64(&c.MaxFileSize, DefaultMaxFileSize)
	switch {
	case c.Resumes == 0:
		c.Resumes = DefaultResumes
	case c.Resumes < 0:
		c.Resumes = 0
	}
	if c.Client == nil {
		c.Client = &http.Client{Transport: NewTransport()}
	}
	if c.Token == nil {
		c.Token = func(context.Context, *hfgate.Principal) (string, error) { return "", nil }
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// NewTransport returns the transport a Proxy uses when Config.Client is
// nil: environment proxies, bounded dial, TLS and header times, response
// headers of at most 64 KiB, and enough idle connections per host for a
// busy gateway.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           512,
		MaxIdleConnsPerHost:    128,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  30 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
}
