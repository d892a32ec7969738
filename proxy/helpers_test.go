package proxy_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/policy"
	"github.com/hfgate/hfgate/proxy"
)

// env is a gateway in miniature, every part real: hubsim behind a
// recording front (the Hub host the proxy calls), the proxy with a real
// policy and a real audit writer on memstore, and in front of it a server
// that maps gateway tokens to principals as the gateway's identity
// middleware does.
type env struct {
	t      testing.TB
	hub    *hubsim.Server
	front  *recorder
	store  hfgate.AuditStore
	audit  *audit.Writer
	reg    *prometheus.Registry
	proxy  *proxy.Proxy
	url    string // the gateway
	client *http.Client
	users  map[string]*user
	cache  *blobcache.Cache // with withCache
}

// user is a gateway user: their gateway token, the HF token the gateway
// holds for them (user mode), and who they are.
type user struct {
	gw, up string
	p      *hfgate.Principal
}

// envOption changes the configuration of an env before it starts.
type envOption func(*envConfig)

type envConfig struct {
	policy policy.Config
	store  hfgate.AuditStore
	proxy  func(*proxy.Config)
	hub    hubsim.Options
	front  func(t testing.TB, hubURL string) string
	cache  *blobcache.Config
}

func withPolicy(c policy.Config) envOption    { return func(e *envConfig) { e.policy = c } }
func withStore(s hfgate.AuditStore) envOption { return func(e *envConfig) { e.store = s } }
func withProxy(f func(*proxy.Config)) envOption {
	return func(e *envConfig) { e.proxy = f }
}

// withCache gives the proxy a blob cache configured by cfg: its Dir, if
// empty, is a temporary folder of the test; parts are small, so that the
// tiny files fill in several.
func withCache(cfg blobcache.Config) envOption {
	return func(e *envConfig) { e.cache = &cfg }
}

// openTestCache opens a blob cache for cfg (see withCache) and closes it
// at the end of the test.
func openTestCache(t testing.TB, cfg blobcache.Config) *blobcache.Cache {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.MinPartSize == 0 {
		cfg.FillConns, cfg.MinPartSize, cfg.MaxPartSize, cfg.ParallelMin = 4, 256<<10, 1<<20, 512<<10
	}
	cfg.Retry.Base, cfg.Retry.Max = time.Millisecond, 5*time.Millisecond
	c, err := blobcache.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("blobcache.Open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// withFront puts another server between the proxy and hubsim: front
// starts it in front of hubURL and returns its URL.
func withFront(front func(t testing.TB, hubURL string) string) envOption {
	return func(e *envConfig) { e.front = front }
}

// newEnv starts an env with the demo policy unless told otherwise.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	cfg := envConfig{policy: policy.Demo(), store: &memstore.Store{}}
	for _, o := range opts {
		o(&cfg)
	}
	e := &env{t: t, store: cfg.store, reg: prometheus.NewRegistry(), users: map[string]*user{}}
	e.hub = hubsimtest.Start(t, cfg.hub)
	e.front = newRecorder(t, e.hub.URL())
	for _, name := range []string{hubsim.UserAlice, hubsim.UserBob} {
		u := &user{gw: gatewayToken(), up: hubsimtest.Token(t, e.hub, name, "read"),
			p: &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:" + name, Provider: "huggingface",
				Username: name, TokenID: "tok_" + name}}
		if name == hubsim.UserAlice {
			u.p.Orgs = []hfgate.Org{{Name: hubsim.OrgAcme, Role: "write"}}
		}
		e.users[name] = u
	}
	pol, err := policy.New(cfg.policy)
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	e.audit, err = audit.Open(t.Context(), e.store, audit.Config{Replica: "test"})
	if err != nil {
		t.Fatalf("audit.Open: %v", err)
	}
	t.Cleanup(func() { e.audit.Close() })

	front := httptest.NewUnstartedServer(nil)
	upstream := e.front.url
	if cfg.front != nil {
		upstream = cfg.front(t, e.hub.URL())
	}
	pc := proxy.Config{
		Upstream:   upstream,
		PublicURL:  "http://" + front.Listener.Addr().String(),
		Token:      e.upstreamToken,
		Policy:     pol,
		Audit:      e.audit,
		Registerer: e.reg,
	}
	if cfg.cache != nil {
		e.cache = openTestCache(t, *cfg.cache)
		pc.Cache = e.cache
	}
	if cfg.proxy != nil {
		cfg.proxy(&pc)
	}
	e.proxy, err = proxy.New(pc)
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	front.Config.Handler = e.identify(e.proxy)
	front.Start()
	t.Cleanup(front.Close)
	e.url = front.URL
	e.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return e
}

// gatewayToken returns a token shaped like the gateway's.
func gatewayToken() string { return "hf_" + strings.ReplaceAll(rand.Text()+rand.Text(), "=", "")[:40] }

// identify puts the principal of the request's gateway token in its
// context; an unknown token is a 401, as at the gateway.
func (e *env) identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := hfgate.Anonymous
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			p = nil
			for _, u := range e.users {
				if u.gw == tok {
					p = u.p
				}
			}
			if p == nil {
				http.Error(w, "unknown token", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r.WithContext(hfgate.WithPrincipal(r.Context(), p)))
	})
}

// upstreamToken is the proxy's TokenFunc in user mode: each user's own HF
// token, none for anonymous callers.
func (e *env) upstreamToken(_ context.Context, p *hfgate.Principal) (string, error) {
	if u := e.users[p.Username]; u != nil && !p.IsAnonymous() {
		return u.up, nil
	}
	return "", nil
}

// do sends a request to the gateway as user ("" for anonymous).
func (e *env) do(method, path, as string, header http.Header, body io.Reader) *http.Response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if as != "" {
		req.Header.Set("Authorization", "Bearer "+e.users[as].gw)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// get sends a GET and returns the response with its body read.
func (e *env) get(path, as string, header http.Header) (*http.Response, []byte) {
	e.t.Helper()
	resp := e.do(http.MethodGet, path, as, header, nil)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return resp, b
}

// events returns the audit log, oldest first, without the writer's own
// seal events.
func (e *env) events() []*hfgate.AuditEvent {
	e.t.Helper()
	page, err := e.store.QueryAudit(e.t.Context(), &hfgate.AuditFilter{Limit: 1000})
	if err != nil {
		e.t.Fatalf("QueryAudit: %v", err)
	}
	var out []*hfgate.AuditEvent
	for _, ev := range page.Events {
		if ev.Kind != hfgate.AuditKindAdmin {
			out = append(out, ev)
		}
	}
	slices.SortFunc(out, func(a, b *hfgate.AuditEvent) int { return int(a.Seq - b.Seq) })
	return out
}

// lastEvent returns the newest audit event.
func (e *env) lastEvent() *hfgate.AuditEvent {
	e.t.Helper()
	evs := e.events()
	if len(evs) == 0 {
		e.t.Fatal("the audit log is empty")
	}
	return evs[len(evs)-1]
}

// recorder is a transparent front of hubsim's Hub host that records the
// headers of every request that reaches it.
type recorder struct {
	url  string
	mu   sync.Mutex
	seen []http.Header
}

func newRecorder(t testing.TB, hubURL string) *recorder {
	target, err := url.Parse(hubURL)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1
	rp.ErrorLog = log.New(io.Discard, "", 0) // the proxy's own requests canceled by tests
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Header.Clone())
		rec.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rec.url = srv.URL
	return rec
}

// headers returns the headers of every request that reached the Hub.
func (r *recorder) headers() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// eventually retries check until it passes or a few seconds have gone.
func eventually(t testing.TB, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// copyAll copies resp's body to w.
func copyAll(w io.Writer, resp *http.Response) (int64, error) { return io.Copy(w, resp.Body) }

// everyoneEverything is a policy that lets anyone do anything, for tests
// of what the Hub itself decides.
func everyoneEverything() policy.Config {
	return policy.Config{Rules: []policy.Rule{{Name: "open", Effect: policy.Allow,
		Actions: []hfgate.RepoAction{policy.AnyAction}, Repos: []string{"*"}, Subjects: []policy.Subject{{Anyone: true}}}}}
}

// endOf waits for the audit end event of the request that resp answered
// (it is recorded after the last byte, which the client may read first).
func (e *env) endOf(resp *http.Response) *hfgate.AuditEvent {
	e.t.Helper()
	id := resp.Header.Get("X-Request-Id")
	var end *hfgate.AuditEvent
	eventually(e.t, "the end event of request "+id, func() bool {
		for _, ev := range e.events() {
			if ev.Kind == hfgate.AuditKindEnd && ev.RequestID == id {
				end = ev
				return true
			}
		}
		return false
	})
	return end
}

// asHTTPError is errors.As for *hfhub.HTTPError.
func asHTTPError(err error, target **hfhub.HTTPError) bool { return errors.As(err, target) }

// pages GETs path through the gateway as user and follows its Link
// rel="next" to the last page, failing the test unless every answer is a
// 200 and every Link points at the gateway. It returns the pages' bodies.
func (e *env) pages(path, as string) [][]byte {
	e.t.Helper()
	var out [][]byte
	for path != "" {
		if len(out) > 100 {
			e.t.Fatalf("more than 100 pages from %s", path)
		}
		resp, body := e.get(path, as, nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
		}
		out = append(out, body)
		path = ""
		if link := resp.Header.Get("Link"); link != "" {
			target := link[strings.Index(link, "<")+1 : strings.Index(link, ">")]
			if !strings.HasPrefix(target, e.url+"/") {
				e.t.Fatalf("Link %q does not point at the gateway %s", link, e.url)
			}
			u, _ := url.Parse(target)
			path = u.RequestURI()
		}
	}
	return out
}
