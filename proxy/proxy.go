package proxy

import (
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hubroute"
	"github.com/hfgate/hfgate/policy"
)

// Proxy is the gateway's Hugging Face-compatible front: an http.Handler for
// the Hub's read paths. Create it with New; it is safe for concurrent use.
type Proxy struct {
	cfg      Config
	upstream *url.URL // normalized, without a trailing slash
	public   *url.URL
	hub      *http.Client // never follows redirects
	cdn      *http.Client // follows plain http(s) redirects, adding no credential
	attrs    *attrCache
	rights   *rights
	cache    *blobcache.Cache // nil without one
	m        *metrics
}

// New returns a Proxy for cfg, after checking it (Config.Validate). It
// registers its metrics with cfg.Registerer, and fails if they are
// registered there already.
func New(cfg Config) (*Proxy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	ep, _ := hfgate.NormalizeEndpoint(cfg.Upstream)
	up, _ := url.Parse(ep)
	pub, _ := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
	p := &Proxy{cfg: cfg, upstream: up, public: pub}
	hub := *cfg.Client
	hub.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hub.Timeout = 0 // every exchange has its own deadline
	p.hub = &hub
	cdn := *cfg.Client
	cdn.CheckRedirect = checkCDNRedirect
	cdn.Timeout = 0
	p.cdn = &cdn
	p.attrs = newAttrCache(cfg.AttributesTTL, cfg.Now)
	p.rights = newRights(cfg.RightsTTL, cfg.OfflineRights, cfg.Now)
	p.cache = cfg.Cache
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	p.m = m
	return p, nil
}

// maxCDNRedirects bounds the redirects a CDN download follows.
const maxCDNRedirects = 5

// checkCDNRedirect lets a CDN request follow a few redirects to plain
// http(s) URLs. The proxy never puts a credential on a CDN request, so
// none can follow the redirect.
func checkCDNRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxCDNRedirects {
		return errors.New("too many redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return errors.New("a redirect to a non-http URL")
	}
	req.Header.Del("Authorization")
	return nil
}

// exchange is one request as the proxy serves it.
type exchange struct {
	p     *Proxy
	w     http.ResponseWriter
	r     *http.Request
	rt    hubroute.Route
	who   *hfgate.Principal
	id    string
	start time.Time

	action   hfgate.RepoAction
	decision policy.Decision
	decided  bool
	status   int // what the client was answered, for metrics

	tokenOnce sync.Once // the upstream credential, asked once
	token     string
	tokenErr  error
}

// ServeHTTP serves one Hub request: it reads the route, decides it with the
// policy, records it in the audit log and answers it from the Hub.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := &exchange{p: p, w: w, r: r, who: hfgate.PrincipalFrom(r.Context()), start: p.cfg.Now()}
	if p.cfg.RequestID != nil {
		x.id = p.cfg.RequestID(r.Context())
	}
	if x.id == "" {
		x.id = rand.Text()[:16]
		w.Header().Set("X-Request-Id", x.id)
	}
	defer x.count()
	rt, err := hubroute.Parse(r.URL.EscapedPath())
	x.rt = rt
	switch rt.Action {
	case "", hubroute.WhoAmI, hubroute.OAuth:
		x.writeError(&hubError{status: http.StatusNotFound, msg: "Not Found"})
		return
	}
	if methods := rt.Action.Methods(); !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		x.writeError(&hubError{status: http.StatusMethodNotAllowed, msg: "Method Not Allowed"})
		return
	}
	if err != nil {
		// The Hub answers a route whose repo id, revision or path it
		// cannot read as a repository it does not have.
		x.writeError(&hubError{status: http.StatusNotFound, code: codeRepoNotFound, msg: "Repository not found", err: err})
		return
	}
	switch rt.Action {
	case hubroute.Search:
		x.search()
	case hubroute.Resolve, hubroute.Raw:
		x.file()
	case hubroute.XetReadToken:
		x.refuseXet()
	default:
		x.metadata()
	}
}

// clientIP returns the client's address for audit.
func (x *exchange) clientIP() string {
	if f := x.p.cfg.ClientIP; f != nil {
		return f(x.r)
	}
	host, _, err := net.SplitHostPort(x.r.RemoteAddr)
	if err != nil {
		return x.r.RemoteAddr
	}
	return host
}

// since is the time taken so far.
func (x *exchange) since() time.Duration { return max(x.p.cfg.Now().Sub(x.start), 0) }

// count updates the request metrics once the exchange is over.
func (x *exchange) count() {
	x.p.m.request(x.rt.Action, x.status)
}

// refuseXet answers xet-read-token: the gateway serves every file over
// plain HTTP and hands out no token for the Hub's Xet storage (reference
// §3). It is recorded as a download refused.
func (x *exchange) refuseXet() {
	x.action = hfgate.RepoDownload
	x.decision = policy.Decision{Rule: ruleNoXet, Reason: "the gateway serves files over plain HTTP only; it gives no Xet storage tokens"}
	x.decided = true
	x.p.m.decision(x.action, false, ruleNoXet)
	x.answerError(&hubError{status: http.StatusNotFound, code: codeEntryNotFound, msg: x.decision.Reason})
}

// ruleNoXet is the rule the audit log names for a refused xet-read-token.
const ruleNoXet = "gateway-no-xet"
