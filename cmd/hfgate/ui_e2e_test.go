package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// startWeb starts "hfgate ui" (or demo) with --json --no-open on a free
// port and returns it with the URL it printed, launch secret included.
func (e *e2e) startWeb(cmd string, args ...string) (*proc, string) {
	e.t.Helper()
	first := make(chan string, 1)
	p := e.startWith(&lineTee{first: first}, append([]string{cmd, "--no-open", "--json"}, args...)...)
	select {
	case line := <-first:
		var info struct{ URL string }
		if err := json.Unmarshal([]byte(line), &info); err != nil || !strings.Contains(info.URL, "/?token=") {
			e.t.Fatalf("hfgate %s printed %q: want a URL with the launch secret", cmd, line)
		}
		// The launch secret belongs in the URL printed, nowhere else.
		e.t.Cleanup(func() {
			p.cmd.Process.Kill()
			<-p.done
			if secret := strings.SplitN(info.URL, "token=", 2)[1]; strings.Contains(p.stderr.String(), secret) {
				e.t.Errorf("hfgate %s wrote its launch secret on stderr", cmd)
			}
		})
		return p, info.URL
	case <-p.done:
		e.t.Fatalf("hfgate %s exited: %s", cmd, p.stderr.String())
	case <-time.After(30 * time.Second):
		e.t.Fatalf("hfgate %s printed no URL within 30s", cmd)
	}
	return nil, ""
}

// lineTee keeps what a process prints and hands its first line to first.
type lineTee struct {
	mu    sync.Mutex
	buf   strings.Builder
	first chan string
	sent  bool
}

func (l *lineTee) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	if s := l.buf.String(); !l.sent && strings.Contains(s, "\n") {
		l.sent = true
		l.first <- s[:strings.Index(s, "\n")]
	}
	return len(b), nil
}

func (l *lineTee) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// owner is the browser of the person who started the app: it opened the
// launch URL, keeps the owner cookie, and sends the page's key as app.js
// does.
type owner struct {
	*http.Client
	base string
	key  string
}

// openLaunch opens a launch URL as a new browser does and returns its
// owner.
func openLaunch(t *testing.T, launch string) *owner {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return openLaunchWith(t, jar, launch)
}

// openLaunchWith opens a launch URL in the browser whose cookies are jar.
func openLaunchWith(t *testing.T, jar http.CookieJar, launch string) *owner {
	t.Helper()
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(launch)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<meta name="hfgate-key" content="([A-Z2-7]+)">`).FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("the launch URL answered %s: %s", resp.Status, body)
	}
	u, _ := url.Parse(launch)
	o := &owner{Client: c, base: u.Scheme + "://" + u.Host, key: string(m[1])}
	c.Transport = keyTransport{key: o.key}
	return o
}

type keyTransport struct{ key string }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Hfgate-Key", k.key)
	if r.Method == http.MethodPost {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	return http.DefaultTransport.RoundTrip(r)
}

// signIn runs the browser sign-in to the end (hubsim approves) and returns
// where it ended and its status.
func (o *owner) signIn(t *testing.T, returnTo string) (*http.Response, string) {
	t.Helper()
	resp, err := o.PostForm(o.base+"/auth/oauth/authorize/huggingface", url.Values{"return_to": {returnTo}, "hfgate_key": {o.key}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// session reads GET /auth/session.
func (o *owner) session(t *testing.T) map[string]any {
	t.Helper()
	resp, err := o.Get(o.base + "/auth/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s map[string]any
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&s) != nil {
		t.Fatalf("GET /auth/session: %s", resp.Status)
	}
	return s
}

// The web app and the command line share one sign-in: connecting in the
// browser signs in "hfgate whoami", signing out there signs it out, and
// SIGINT stops the server cleanly.
func TestUISignInIsTheCLISignIn(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	p, launch := e.startWeb("ui")
	if r := e.run("", "whoami"); r.code != exitAuth {
		t.Fatalf("whoami before signing in: exit %d, want %d", r.code, exitAuth)
	}
	o := openLaunch(t, launch)
	if resp, body := o.signIn(t, "/downloads"); resp.StatusCode != http.StatusOK || resp.Request.URL.String() != o.base+"/downloads" {
		t.Fatalf("sign-in ended with %s at %s: %s", resp.Status, resp.Request.URL, body)
	}
	cred := e.storedCred()
	if cred == nil || cred.Username != hubsim.UserAlice {
		t.Fatalf("stored credential after the browser sign-in = %+v, want alice's", cred)
	}
	if r := e.mustRun("", "whoami"); !strings.Contains(r.stdout, hubsim.UserAlice) {
		t.Errorf("whoami after the browser sign-in: %q, want alice", r.stdout)
	}

	req, _ := http.NewRequest(http.MethodPost, o.base+"/auth/logout", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := o.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("sign out: %s", resp.Status)
	}
	if r := e.run("", "whoami"); r.code != exitAuth {
		t.Errorf("whoami after signing out in the browser: exit %d, want %d", r.code, exitAuth)
	}
	if s := o.session(t); s["signed_in"] != false || s["cli"] != nil {
		t.Errorf("after signing out the session says %v, want signed out here and on the command line", s)
	}

	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if r := e.wait(p); r.code != exitOK || !strings.Contains(r.stdout, o.base) {
		t.Errorf("hfgate ui after SIGINT: exit %d, stdout %q; want 0 and the URL printed", r.code, r.stdout)
	}
}
