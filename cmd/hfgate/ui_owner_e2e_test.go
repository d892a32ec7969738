package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// request makes one request of the app with c as a client that is not the
// owner's page (no key), as curl or another program would; it returns the
// status and body.
func request(t *testing.T, c *http.Client, method, u, body string, hdr map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin") // whatever a non-browser client claims
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// attacks are what someone who is not the owner tries against the app.
var attacks = []struct {
	name, method, path, body string
}{
	{"open the app", "GET", "/", ""},
	{"read a private model", "GET", "/api/models/alice/coder-lora-experiments", ""},
	{"read the session", "GET", "/auth/session", ""},
	{"list downloads", "GET", "/api/downloads", ""},
	{"start a download", "POST", "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`},
	{"ask for a missing file", "POST", "/api/downloads", `{"repo":"hubsim/tiny-llama-GGUF","file":"nope.gguf"}`},
	{"sign in", "GET", "/auth/oauth/authorize/huggingface", ""},
	{"sign in by form", "POST", "/auth/oauth/authorize/huggingface", ""},
	{"sign out", "POST", "/auth/logout", ""},
	{"pin to IPFS", "POST", "/api/ipfs/pins", `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`},
}

// checkNothingHappened fails if an attack left a trace: a download, a
// cache entry, or the owner signed out.
func checkNothingHappened(t *testing.T, e *e2e, o *owner) {
	t.Helper()
	status, body := request(t, o.Client, "GET", o.base+"/api/downloads", "", nil)
	if status != http.StatusOK || strings.Contains(body, "tiny-llama") {
		t.Errorf("after the attacks the owner's downloads are %d %s, want none", status, body)
	}
	if entries, _ := os.ReadDir(e.home + "/hf/hub"); len(entries) > 0 {
		t.Errorf("the attacks wrote into the cache: %v", entries)
	}
	if s := o.session(t); s["signed_in"] != true || s["username"] != hubsim.UserAlice {
		t.Errorf("after the attacks the owner's session is %v, want alice signed in", s)
	}
}

// TestUIOwnerOnly: only the browser that opened the launch URL may use
// "hfgate ui". A client without the owner cookie, one with a wrong launch
// secret, and one that replays the owner's cookie (browsers send it to
// every port of 127.0.0.1) without the page's key can neither sign in nor
// read nor start anything.
func TestUIOwnerOnly(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	_, launch := e.startWeb("ui")
	o := openLaunch(t, launch)
	if resp, body := o.signIn(t, "/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("the owner's sign-in: %s %s", resp.Status, body)
	}

	jar, _ := cookiejar.New(nil)
	stranger := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base, _ := url.Parse(o.base)
	var ownerCookies []*http.Cookie
	for _, c := range o.Jar.Cookies(base) {
		ownerCookies = append(ownerCookies, &http.Cookie{Name: c.Name, Value: c.Value})
	}
	if len(ownerCookies) != 2 {
		t.Fatalf("the owner holds cookies %v, want the owner cookie and the session cookie", ownerCookies)
	}
	replayed := func(hdr map[string]string) map[string]string {
		var parts []string
		for _, c := range ownerCookies {
			parts = append(parts, c.String())
		}
		out := map[string]string{"Cookie": strings.Join(parts, "; ")}
		for k, v := range hdr {
			out[k] = v
		}
		return out
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			if status, body := request(t, stranger, a.method, o.base+a.path, a.body, nil); status != http.StatusUnauthorized ||
				!strings.Contains(body, "open the link it printed") {
				t.Errorf("without the owner cookie: %d %.200s, want 401 saying to open the printed link", status, body)
			}
			status, body := request(t, stranger, a.method, o.base+a.path, a.body, replayed(nil))
			switch {
			case a.path == "/" && status == http.StatusOK:
				// the page's shell: nothing of the owner's is in it
				if strings.Contains(body, hubsim.UserAlice) || strings.Contains(body, "Alice") {
					t.Errorf("the page served to a replayed cookie names the owner:\n%s", body)
				}
			case status != http.StatusForbidden || !strings.Contains(body, "lacks the page"):
				t.Errorf("with the owner's cookie replayed, no key: %d %.200s, want 403", status, body)
			}
			if status, _ := request(t, stranger, a.method, o.base+a.path, a.body, replayed(map[string]string{"X-Hfgate-Key": "GUESSED"})); a.path != "/" && status != http.StatusForbidden {
				t.Errorf("with a guessed key: %d, want 403", status)
			}
		})
	}
	if status, _ := request(t, stranger, "GET", o.base+"/?token=WRONGSECRET", "", nil); status != http.StatusUnauthorized {
		t.Errorf("a wrong launch secret: %d, want 401", status)
	}
	checkNothingHappened(t, e, o)
}

// TestUICookieOfAnotherPort: two apps of one user on two ports, opened in
// one browser, which sends each app's cookies to both (cookies ignore
// ports): each app knows only its own, so a sign-in or sign-out in one
// leaves the other as it was, and A's cookies replayed to B open nothing.
func TestUICookieOfAnotherPort(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	_, launchA := e.startWeb("ui")
	_, launchB := e.startWeb("ui")
	a := openLaunch(t, launchA)
	aCookies := a.Jar.Cookies(mustURL(t, a.base))
	b := openLaunchWith(t, a.Jar, launchB) // the same browser
	if got := len(b.Jar.Cookies(mustURL(t, b.base))); got != len(aCookies)+1 {
		t.Fatalf("the browser holds %d cookies for 127.0.0.1, want A's %d and B's owner cookie under its own name", got, len(aCookies))
	}
	a.signIn(t, "/")
	if s := b.session(t); s["signed_in"] != false {
		t.Errorf("B, sent A's session cookie too: %v, want not signed in", s)
	}
	if s := a.session(t); s["signed_in"] != true {
		t.Errorf("A after B's launch: %v, want still signed in", s)
	}
	var replay []string // A's owner and session cookies
	for _, c := range a.Jar.Cookies(mustURL(t, a.base)) {
		if kv := c.Name + "=" + c.Value; !b.owns(t, kv) {
			replay = append(replay, kv)
		}
	}
	if len(replay) != 2 {
		t.Fatalf("A's cookies are %q, want its owner and session cookies", replay)
	}
	bare := &http.Client{Timeout: 10 * time.Second}
	if status, _ := request(t, bare, "GET", b.base+"/api/downloads", "", map[string]string{"Cookie": strings.Join(replay, "; "), "X-Hfgate-Key": b.key}); status != http.StatusUnauthorized {
		t.Errorf("A's cookies, with B's key, sent to B: %d, want 401", status)
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// owns reports whether the cookie name=value alone opens o's app.
func (o *owner) owns(t *testing.T, cookie string) bool {
	t.Helper()
	status, _ := request(t, &http.Client{Timeout: 10 * time.Second}, "GET", o.base+"/api/downloads", "",
		map[string]string{"Cookie": cookie, "X-Hfgate-Key": o.key})
	return status == http.StatusOK
}

// TestUISecondOSUser: another user of this machine, with their own tools
// (curl under runuser), can neither sign in to the owner's running "hfgate
// ui" nor read nor start anything. Tests run as root in CI, which can
// create the user; elsewhere the test is skipped unless
// HFGATE_TEST_OSUSER=1 (scripts/test) requires it.
func TestUISecondOSUser(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("HFGATE_TEST_OSUSER") == "1" {
			t.Fatal("HFGATE_TEST_OSUSER=1, but the test is not running as root: it cannot create a second user")
		}
		t.Skip("not root: cannot create a second OS user (run as root, as CI does)")
	}
	for _, tool := range []string{"useradd", "userdel", "runuser", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to act as a second user: %v", tool, err)
		}
	}
	user := fmt.Sprintf("hfgx%d", os.Getpid()%100000)
	if out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v: %s", user, err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", user).Run() })

	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	_, launch := e.startWeb("ui")
	o := openLaunch(t, launch)
	o.signIn(t, "/")
	for _, a := range attacks {
		args := []string{"-u", user, "--", "curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "-X", a.method}
		if a.body != "" {
			args = append(args, "-H", "Content-Type: application/json", "--data", a.body)
		}
		args = append(args, "-H", "Sec-Fetch-Site: same-origin", o.base+a.path)
		out, err := exec.Command("runuser", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("runuser curl: %v: %s", err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if code := lines[len(lines)-1]; code != "401" {
			t.Errorf("%s as user %s: HTTP %s, want 401:\n%s", a.name, user, code, out)
		}
	}
	// What the owner keeps on disk is not the other user's to read.
	for _, p := range []string{e.home + "/config/hfgate/credentials.json", e.home + "/config/hfgate"} {
		if out, err := exec.Command("runuser", "-u", user, "--", "cat", p).CombinedOutput(); err == nil {
			t.Errorf("user %s can read %s: %s", user, p, out)
		}
	}
	checkNothingHappened(t, e, o)
}
