package hfhub

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/retry"
)

// Defaults of a Client.
const (
	// DefaultEndpoint is the Hub's base URL, as HF_ENDPOINT's default.
	DefaultEndpoint = "https://huggingface.co"
	// DefaultUserAgent is sent when Client.UserAgent is "".
	DefaultUserAgent = "hfgate"

	// DefaultDialTimeout, DefaultTLSHandshakeTimeout and
	// DefaultResponseHeaderTimeout are the timeouts of the default HTTP
	// client. There is no overall timeout, since a download may take hours;
	// a stalled connection is caught by these and by the caller's context.
	DefaultDialTimeout           = 10 * time.Second
	DefaultTLSHandshakeTimeout   = 10 * time.Second
	DefaultResponseHeaderTimeout = 30 * time.Second
	// DefaultReadTimeout is how long an API answer may deliver under 1
	// KiB, waiting for it included, before the attempt is cut and retried:
	// huggingface_hub's default HF_HUB_ETAG_TIMEOUT.
	DefaultReadTimeout = 10 * time.Second
)

// maxRedirects bounds the hops of one request, as net/http's default does.
const maxRedirects = 10

// Client talks to one Hugging Face Hub. Set the fields before first use and
// do not change them afterwards; the zero value talks anonymously to
// huggingface.co. A Client is safe for concurrent use and must not be copied
// after first use.
type Client struct {
	// Endpoint is the Hub's base URL (HF_ENDPOINT). "" means
	// DefaultEndpoint; a trailing "/" is ignored.
	Endpoint string

	// HTTPClient sends the requests. If nil, a client with dial, TLS
	// handshake and response header timeouts (the Default constants) and
	// no overall timeout is used. Its CheckRedirect is not used: the Client
	// follows redirects itself, to decide Authorization hop by hop.
	HTTPClient *http.Client

	// Token returns the bearer token to send, called once per request. If
	// nil, or if it returns "", requests are anonymous. Its error is
	// returned as is (wrapped), so an *hfgate.Error keeps its code.
	Token func(ctx context.Context) (string, error)

	// UserAgent is sent with every request. "" means DefaultUserAgent.
	UserAgent string

	// Retry decides how often and how long to retry; the zero value uses
	// the retry package's defaults.
	Retry retry.Policy

	// OnRetry, if not nil, is told about each retry before its wait: the
	// error that caused it and the wait. For progress output ("rate
	// limited, retrying in 5s"); it must not block.
	OnRetry func(err error, wait time.Duration)

	// Now is the clock used to read Retry-After dates. If nil, time.Now.
	Now func() time.Time

	// ReadTimeout cuts an API request whose answer delivers under 1 KiB in
	// that long, the wait for its headers included: a server that stalls
	// or trickles is retried, then reported, instead of hanging the
	// caller. 0 means DefaultReadTimeout. GetRange leaves this to its
	// caller, who reads the body.
	ReadTimeout time.Duration

	// OnMalformed, if not nil, is told about each entry of an answer that
	// was left out as malformed or unsafe (a file path that could escape a
	// folder or carries control characters, a repo id the Hub would not
	// make, an implausible size, card data too large to decode): entry is
	// quoted and safe to print, why says what is wrong. The rest of the
	// answer is used. It may be called from several goroutines at once.
	OnMalformed func(entry, why string)

	once     sync.Once
	endpoint *url.URL // parsed Endpoint, or nil
	initErr  error
	hc       *http.Client
}

// init parses Endpoint and builds the HTTP client, once.
func (c *Client) init() error {
	c.once.Do(func() {
		raw := strings.TrimRight(c.Endpoint, "/")
		if raw == "" {
			raw = DefaultEndpoint
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			c.initErr = hfgate.Errorf(hfgate.EINVALID,
				"%q is not a valid Hub endpoint; use a base URL such as %s", stripQuery(raw), DefaultEndpoint).WithAction(hfgate.ActionSetEndpoint)
			return
		}
		c.endpoint = u
		hc := c.HTTPClient
		if hc == nil {
			hc = defaultHTTPClient()
		}
		// A shallow copy, so that the caller's client keeps its own
		// CheckRedirect; ours makes every redirect come back to send.
		own := *hc
		own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		c.hc = &own
	})
	return c.initErr
}

// defaultHTTPClient has timeouts for every step before the body and none
// for the body itself, and keeps enough idle connections per host for
// parallel ranged downloads.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	t.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	t.MaxIdleConnsPerHost = 32
	return &http.Client{Transport: t}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) readTimeout() time.Duration {
	if c.ReadTimeout > 0 {
		return c.ReadTimeout
	}
	return DefaultReadTimeout
}

// malformed reports an entry left out of an answer.
func (c *Client) malformed(entry, why string) {
	if c.OnMalformed != nil {
		c.OnMalformed(strconv.QuoteToGraphic(entry), why)
	}
}

func (c *Client) userAgent() string {
	if c.UserAgent != "" {
		return c.UserAgent
	}
	return DefaultUserAgent
}

// token returns the bearer token, or "" to go anonymous.
func (c *Client) token(ctx context.Context) (string, error) {
	if c.Token == nil {
		return "", nil
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return "", fmt.Errorf("get token: %w", err)
	}
	return strings.TrimSpace(tok), nil
}

// base returns the endpoint without a trailing "/". Call after init.
func (c *Client) base() string { return strings.TrimRight(c.endpoint.String(), "/") }

// sameOrigin reports whether u is on the endpoint's scheme, host and port,
// the only place the token may go.
func (c *Client) sameOrigin(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, c.endpoint.Scheme) &&
		strings.EqualFold(hostPort(u), hostPort(c.endpoint))
}

// hostPort is u's host with the scheme's default port made explicit.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "80"
	if strings.EqualFold(u.Scheme, "https") {
		port = "443"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// RepoURL returns the repository's web page, where a user requests access
// to a gated repo, e.g. https://huggingface.co/meta-llama/Llama-3.2-1B.
// It returns "" if Endpoint is invalid.
func (c *Client) RepoURL(repo hfgate.RepoID) string {
	if c.init() != nil {
		return ""
	}
	return c.base() + "/" + escapePath(string(repo))
}

// ResolveURL returns the download URL of a file at a revision ("" means
// hfgate.DefaultRevision): /{repo}/resolve/{rev}/{path}, the revision
// escaped entirely (refs/pr/1 becomes refs%2Fpr%2F1) and the path with its
// "/" kept, as huggingface_hub's hf_hub_url builds it. It returns "" if
// Endpoint is invalid. It does not validate its arguments.
func (c *Client) ResolveURL(repo hfgate.RepoID, rev, path string) string {
	if c.init() != nil {
		return ""
	}
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	return c.base() + "/" + escapePath(string(repo)) + "/resolve/" + escapeAll(rev) + "/" + escapePath(path)
}

// apiURL returns endpoint + "/api/" + path (already escaped) + query.
func (c *Client) apiURL(path string, q url.Values) string {
	s := c.base() + "/api/" + path
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

var _ hfgate.Hub = (*Client)(nil)
