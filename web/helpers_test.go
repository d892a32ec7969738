package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/web"
)

// app is a web.Server wired to a hubsim, as cmd/hfgate wires it.
type app struct {
	hub   *hubsim.Server
	srv   *web.Server
	ts    *httptest.Server
	creds *memstore.Store
	cache hfcache.Cache
}

// startApp serves a web.Server against hub. Its OAuth app is hubsim's
// public client unless noOAuth.
func startApp(t *testing.T, hub *hubsim.Server, noOAuth bool) *app {
	t.Helper()
	return startAppOn(t, hub, noOAuth, t.TempDir())
}

// startAppOn serves a web.Server over the cache in dir, its downloads list
// restored from it, as cmd/hfgate starts one.
func startAppOn(t *testing.T, hub *hubsim.Server, noOAuth bool, dir string) *app {
	t.Helper()
	a := &app{hub: hub, creds: &memstore.Store{}}
	ts := httptest.NewUnstartedServer(nil)
	// As cmd/hfgate wires it: the signed-in browser acts for the local
	// account, whose credential its sign-in stored.
	tokens := &oidcauth.TokenSource{
		Store:    a.creds,
		Endpoint: hub.URL(),
		Subject:  func(*hfgate.Principal) string { return hfgate.LocalSubject },
	}
	client := &hfhub.Client{Endpoint: hub.URL(), Token: tokens.Token}
	a.cache = hfcache.Cache{Dir: dir}
	d := &download.Downloader{Hub: client, Cache: a.cache}
	a.srv = &web.Server{
		LaunchSecret: testSecret,
		Hub:          client,
		Endpoint:     hub.URL(),
		Credentials:  a.creds,
		Sessions:     &memstore.Store{},
		BaseURL:      "http://" + ts.Listener.Addr().String(),
		Budget:       fit.NewBudget(16<<30, "test"),
		CacheDir:     a.cache.Dir,
		Open: func(repo hfgate.RepoID, commit string) fit.Opener {
			return func(ctx context.Context, path string) (io.ReaderAt, error) {
				meta, err := client.FileMetadata(ctx, repo, commit, path)
				if err != nil {
					return nil, err
				}
				return client.ReaderAt(ctx, meta), nil
			}
		},
		Downloads: &web.Downloads{Fetch: func(ctx context.Context, repo hfgate.RepoID, rev string, files []string, rep download.Reporter) (string, error) {
			res, err := d.Download(ctx, download.Request{Repo: repo, Revision: rev, Files: files}, rep)
			if err != nil {
				return "", err
			}
			return res[0].Path, nil
		}},
	}
	t.Cleanup(a.srv.Downloads.Close)
	if err := a.srv.Downloads.Restore(context.Background(), a.cache); err != nil {
		t.Fatal(err)
	}
	if !noOAuth {
		cfg := oidcauth.HuggingFace(hub.URL())
		cfg.ClientID = hubsim.ClientPublic
		a.srv.OAuth = &cfg
	}
	ts.Config.Handler = a.srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	a.ts = ts
	return a
}

// testSecret is the launch secret of the apps under test.
const testSecret = "TESTLAUNCHSECRET"

// stranger returns an HTTP client with a cookie jar, as a browser keeps
// cookies, that never opened the app's launch URL. It follows redirects
// unless noFollow.
func stranger(t *testing.T, noFollow bool) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	if noFollow {
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return c
}

// browser returns the owner's browser: it opened the launch URL, holds the
// owner cookie, and its page's script sends the key with every request
// (keyed adds it, as app.js does).
func (a *app) browser(t *testing.T, noFollow bool) *http.Client {
	t.Helper()
	c := stranger(t, true)
	key := a.launch(t, c, "/")
	c.Transport = keyed{key: key}
	if !noFollow {
		c.CheckRedirect = nil
	}
	return c
}

// launch opens the launch URL of path with c and returns the page's key.
func (a *app) launch(t *testing.T, c *http.Client, path string) string {
	t.Helper()
	resp, body := a.get(t, c, path+"?token="+testSecret)
	m := regexp.MustCompile(`<meta name="hfgate-key" content="([A-Z2-7]+)">`).FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the launch URL answered %s: %q", resp.Status, body)
	}
	return m[1]
}

// keyed sends the page's key with every request, as app.js does.
type keyed struct{ key string }

func (k keyed) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Hfgate-Key", k.key)
	return http.DefaultTransport.RoundTrip(r)
}

// get fetches path on the app and returns the response and its body.
func (a *app) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(a.ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, readBody(t, resp)
}

// post sends a same-origin POST, as the app's own pages do.
func (a *app) post(t *testing.T, c *http.Client, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", a.ts.URL)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// signIn runs the whole sign-in with c as the browser; hub must
// auto-approve. It returns the final response.
func (a *app) signIn(t *testing.T, c *http.Client, returnTo string) *http.Response {
	t.Helper()
	resp, _ := a.get(t, c, "/auth/oauth/authorize/huggingface?return_to="+url.QueryEscape(returnTo))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in ended with %s at %s", resp.Status, resp.Request.URL)
	}
	return resp
}

// storedToken returns the access token in the credential store, or "".
func (a *app) storedToken(t *testing.T) string {
	t.Helper()
	cred, err := a.creds.LoadCredential(context.Background(), a.hub.URL(), hfgate.LocalSubject)
	if hfgate.ErrorCode(err) == hfgate.ENOTFOUND {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return cred.AccessToken
}

// idOf returns the id of the download a POST /api/downloads answered.
func idOf(t *testing.T, body string) string {
	t.Helper()
	var tr struct{ ID string }
	if err := json.Unmarshal([]byte(body), &tr); err != nil || tr.ID == "" {
		t.Fatalf("not a download: %q", body)
	}
	return tr.ID
}
