package main

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// browser plays the user's browser: it never follows redirects by itself,
// so that each hop can be checked.
var browser = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authURL starts "hfgate login --no-browser" and returns it with the
// sign-in URL it printed on stderr.
func (e *e2e) startLogin(args ...string) (*proc, *url.URL) {
	e.t.Helper()
	p := e.start(append([]string{"login", "--no-browser"}, args...)...)
	line := p.waitLine(e.t, "/oauth/authorize?")
	u, err := url.Parse(line)
	if err != nil {
		e.t.Fatalf("sign-in URL %q: %v", line, err)
	}
	return p, u
}

// authorize GETs the sign-in URL at hubsim (with auto-approval on) and
// returns the callback URL hubsim redirects to, recording its code.
func (e *e2e) authorize(authURL *url.URL) *url.URL {
	e.t.Helper()
	resp, err := browser.Get(authURL.String())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	e.addSecret(cb.Query().Get("code"))
	return cb
}

// callback GETs the loopback callback like the browser and returns the
// status of hfgate's page.
func (e *e2e) callback(cb *url.URL) int {
	e.t.Helper()
	resp, err := browser.Get(cb.String())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// login signs in as the auto-approved user through the loopback flow.
func (e *e2e) login(args ...string) result {
	e.t.Helper()
	p, authURL := e.startLogin(args...)
	if got := e.callback(e.authorize(authURL)); got != http.StatusOK {
		e.t.Errorf("callback page status %d, want 200", got)
	}
	r := e.wait(p)
	if r.code != 0 {
		e.t.Fatalf("login: exit %d: %s", r.code, r.stderr)
	}
	return r
}

func TestE2ELoginLoopback(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	p, authURL := e.startLogin()
	q := authURL.Query()
	for k, want := range map[string]string{"client_id": hubsim.ClientPublic, "code_challenge_method": "S256", "response_type": "code"} {
		if q.Get(k) != want {
			t.Errorf("sign-in URL %s=%q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge") == "" {
		t.Errorf("sign-in URL lacks state, nonce or code_challenge: %s", authURL)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/callback$`).MatchString(q.Get("redirect_uri")) {
		t.Errorf("redirect_uri = %q", q.Get("redirect_uri"))
	}
	if got := e.callback(e.authorize(authURL)); got != http.StatusOK {
		t.Errorf("callback page status %d, want 200", got)
	}
	r := e.wait(p)
	want := "Signed in as alice to " + e.hub.URL() + " (stored in file " + e.credFile() + ")\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("login: exit %d, stdout %q, want %q", r.code, r.stdout, want)
	}
	if !strings.Contains(r.stderr, "no OS keyring available") {
		t.Errorf("stderr has no notice about the file fallback:\n%s", r.stderr)
	}

	fi, err := os.Stat(e.credFile())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("credentials file mode %04o, want 0600", perm)
	}
	if di, err := os.Stat(filepath.Dir(e.credFile())); err != nil {
		t.Error(err)
	} else if perm := di.Mode().Perm(); perm != 0o700 {
		t.Errorf("credentials directory mode %04o, want 0700", perm)
	}
	cred := e.storedCred()
	if cred == nil || cred.Username != "alice" || cred.ClientID != hubsim.ClientPublic || cred.RefreshToken == "" ||
		!strings.HasPrefix(cred.AccessToken, "hf_oauth_") || cred.Expiry.IsZero() {
		t.Fatalf("stored credential = %+v", cred)
	}
	if tok := e.token(); tok != cred.AccessToken {
		t.Errorf("token printed %.12s…, want the stored %.12s…", tok, cred.AccessToken)
	}
}

func TestE2EWrongStateIgnored(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	p, authURL := e.startLogin()
	cb := e.authorize(authURL)

	forged := *cb
	q := forged.Query()
	q.Set("state", "not-the-state")
	q.Set("code", "forged-code")
	forged.RawQuery = q.Encode()
	if got := e.callback(&forged); got != http.StatusBadRequest {
		t.Errorf("wrong-state callback: status %d, want 400", got)
	}
	if got := e.callback(cb); got != http.StatusOK {
		t.Errorf("right callback after a wrong one: status %d, want 200", got)
	}
	if r := e.wait(p); r.code != 0 || !strings.HasPrefix(r.stdout, "Signed in as alice") {
		t.Fatalf("login: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestE2EConsentDenied(t *testing.T) {
	e := newE2E(t, hubsim.Options{}) // no auto-approval: the consent page is shown
	p, authURL := e.startLogin()
	resp, err := browser.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := regexp.MustCompile(`name="consent" value="([^"]+)"`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("consent page: status %d:\n%s", resp.StatusCode, page)
	}
	resp, err = browser.PostForm(e.hub.URL()+"/oauth/authorize", url.Values{"consent": {m[1]}, "decision": {"deny"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cb.Query().Get("error") != "access_denied" {
		t.Fatalf("deny: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := e.callback(cb); got != http.StatusBadRequest {
		t.Errorf("denied callback page status %d, want 400", got)
	}
	r := e.wait(p)
	if r.code != exitAuth || !strings.Contains(r.stderr, "denied") || !strings.Contains(r.stderr, "run hfgate login") {
		t.Errorf("login after a denied consent: exit %d, stderr %q; want exit %d and a clear message", r.code, r.stderr, exitAuth)
	}
	if _, err := os.Stat(e.credFile()); !os.IsNotExist(err) {
		t.Errorf("credentials file exists after a denied consent (err %v)", err)
	}
	if r := e.run("", "token"); r.code != exitAuth || !strings.Contains(r.stderr, "not signed in") {
		t.Errorf("token after a denied consent: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestE2ELoginDevice(t *testing.T) {
	e := newE2E(t, hubsim.Options{DeviceInterval: time.Second})
	p := e.start("login", "--device", "--no-browser")
	line := p.waitLine(t, "and enter the code")
	verify := regexp.MustCompile(`open (\S+) and enter`).FindStringSubmatch(line)[1]
	code := p.waitLine(t, "-") // the user code, e.g. ABCD-EFGH
	resp, err := browser.Get(verify + "?user_code=" + url.QueryEscape(code))
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	m := regexp.MustCompile(`name="consent" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("device consent page: status %d:\n%s", resp.StatusCode, page)
	}
	form := url.Values{"consent": {m[1]}, "decision": {"approve"}, "user": {hubsim.UserBob}}
	resp, err = browser.PostForm(e.hub.URL()+"/oauth/device/consent", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("device consent: status %d", resp.StatusCode)
	}
	if r := e.wait(p); r.code != 0 || !strings.HasPrefix(r.stdout, "Signed in as bob to "+e.hub.URL()) {
		t.Fatalf("device login: exit %d, stdout %q", r.code, r.stdout)
	}
	if cred := e.storedCred(); cred == nil || cred.Username != "bob" || cred.RefreshToken == "" {
		t.Fatalf("stored credential = %+v", cred)
	}
}

func TestE2ENoOAuthApp(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	e.setenv("HUGGINGFACE_CLIENT_ID", "")
	r := e.run("", "login", "--no-browser")
	for _, want := range []string{"huggingface.co/settings/applications/new", "http://127.0.0.1/callback", "HUGGINGFACE_CLIENT_ID", "--with-token"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d", r.code, exitUsage)
	}
	if strings.Count(r.stderr, "\n") != 1 || strings.Contains(r.stderr, "  ") {
		t.Errorf("not one tidy line (printError joins lines with spaces): %q", r.stderr)
	}
}

func readAll(tb testing.TB, resp *http.Response) string {
	tb.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	if _, err := io.Copy(&b, resp.Body); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// TestE2ELoginOpensBrowser: without --no-browser, login hands the URL it
// printed to xdg-open (here a script that writes it to a file), and the
// browser coming back completes the sign-in.
func TestE2ELoginOpensBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the fake browser is an xdg-open script")
	}
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	bin := t.TempDir()
	opened := filepath.Join(bin, "opened-url")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + opened + ".tmp && mv " + opened + ".tmp " + opened + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	e.setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	p := e.start("login")
	printed := p.waitLine(t, "/oauth/authorize?")
	got := waitForFile(t, opened, "login did not run xdg-open")
	if string(got) != printed {
		t.Fatalf("xdg-open got %q, want the printed URL %q", got, printed)
	}
	u, err := url.Parse(string(got))
	if err != nil {
		t.Fatal(err)
	}
	if status := e.callback(e.authorize(u)); status != http.StatusOK {
		t.Errorf("callback page status %d", status)
	}
	if r := e.wait(p); r.code != 0 || !strings.HasPrefix(r.stdout, "Signed in as alice") {
		t.Fatalf("login: exit %d, stdout %q", r.code, r.stdout)
	}
}
