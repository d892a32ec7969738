package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// database opens handles on one fresh database; each call is another
// replica's handle.
type database struct {
	name string
	open func(t *testing.T) *sqlstore.Store
}

func testKeys(t *testing.T) *keyset.Set {
	t.Helper()
	line, _ := keyset.Generate("k1")
	k, err := keyset.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sqliteDB is a fresh SQLite database, for tests whose point is not the
// database.
func sqliteDB(t *testing.T) database {
	path := filepath.Join(t.TempDir(), "gateway.db")
	k := testKeys(t)
	return database{"sqlite", func(t *testing.T) *sqlstore.Store {
		s, err := sqlite.Open(context.Background(), path, sqlstore.Options{Sealer: k, PollInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}}
}

// forEachDB runs test on SQLite and on PostgreSQL (which skips, or fails
// when required, without a server).
func forEachDB(t *testing.T, test func(t *testing.T, db database)) {
	keys := testKeys
	t.Run("sqlite", func(t *testing.T) { test(t, sqliteDB(t)) })
	t.Run("postgres", func(t *testing.T) {
		url := postgrestest.URL(t)
		k := keys(t)
		test(t, database{"postgres", func(t *testing.T) *sqlstore.Store {
			s, err := postgres.Open(context.Background(), url, sqlstore.Options{Sealer: k})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}})
	})
}

// gw is a gateway running on a loopback port.
type gw struct {
	*gateway.Server
	URL   string
	store *sqlstore.Store
	sim   *hubsim.Server
}

// startGateway starts a gateway over store with hubsim as its Hub and
// huggingface sign-in provider; change may adjust the config.
func startGateway(t *testing.T, sim *hubsim.Server, store *sqlstore.Store, change func(*gateway.Config)) *gw {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	hf := oidcauth.HuggingFace(sim.URL())
	hf.ClientID, hf.ClientSecret = hubsim.ClientConfidential, hubsim.ClientSecret
	cfg := gateway.Config{
		PublicURL: pub, Store: store, Hub: sim.URL(),
		Providers: []gateway.Provider{{Name: "huggingface", Title: "Hugging Face", OAuth: hf}},
		Admins:    gateway.Admins{Users: []string{"alice"}},
		// Device sign-ins poll every second, not every five.
		DeviceInterval: time.Second,
	}
	if change != nil {
		change(&cfg)
	}
	s, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); s.Close() })
	return &gw{Server: s, URL: pub, store: store, sim: sim}
}

func startHubsim(t *testing.T) *hubsim.Server { return hubsimtest.Start(t, hubsim.Options{}) }

// browser is one browser profile: its own cookies, signed in to hubsim
// as one user (whose consent pages approve at once).
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, g *gw, user string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	if user != "" {
		cookie, err := g.sim.SignIn(user, true)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(g.sim.URL())
		jar.SetCookies(u, []*http.Cookie{cookie})
	}
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}, base: g.URL}
}

// signIn signs the browser in to the gateway with hubsim.
func (b *browser) signIn() {
	b.t.Helper()
	resp := b.get("/auth/oauth/authorize/huggingface?return_to=/account")
	if resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/account") {
		b.t.Fatalf("sign-in ended at %s with %d: %s", resp.Request.URL, resp.StatusCode, readAll(resp))
	}
	resp.Body.Close()
}

func (b *browser) do(method, path string, body io.Reader, header map[string]string) *http.Response {
	b.t.Helper()
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (b *browser) get(path string) *http.Response { return b.do("GET", path, nil, nil) }

// csrf returns the session's CSRF token, as the gateway's pages have it.
func (b *browser) csrf() string {
	b.t.Helper()
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	decode(b.t, b.get("/auth/session"), http.StatusOK, &s)
	if s.CSRF == "" {
		b.t.Fatal("no CSRF token: not signed in?")
	}
	return s.CSRF
}

// postForm posts a form the way the gateway's pages do (same origin,
// with the CSRF token).
func (b *browser) postForm(path string, form url.Values) *http.Response {
	b.t.Helper()
	form.Set("csrf_token", b.csrf())
	return b.do("POST", path, strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Origin": b.base, "Sec-Fetch-Site": "same-origin"})
}

// account returns GET /api/account.
func (b *browser) account() accountJSON {
	b.t.Helper()
	var a accountJSON
	decode(b.t, b.get("/api/account"), http.StatusOK, &a)
	return a
}

type accountJSON struct {
	User struct {
		Subject, Username string
	} `json:"user"`
	Sessions []struct {
		ID      string `json:"id"`
		Current bool   `json:"current"`
	} `json:"sessions"`
	Tokens []struct {
		ID   string           `json:"id"`
		Kind hfgate.TokenKind `json:"kind"`
		Name string           `json:"name"`
	} `json:"tokens"`
	CSRF string `json:"csrf_token"`
}

func readAll(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return string(b)
}

// decode fails unless resp has status want, and decodes its JSON body.
func decode(t *testing.T, resp *http.Response, want int, v any) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s: %v in %s", resp.Request.URL.Path, err, body)
		}
	}
}

// bearerGet makes a GET with a bearer token, as HF clients do.
func bearerGet(t *testing.T, url, token string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
