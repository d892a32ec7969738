package main

import (
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// The web app and the command line share one sign-in: connecting in the
// browser signs in "hfgate whoami", signing out there signs it out, and
// SIGINT stops the server cleanly.
func TestUISignInIsTheCLISignIn(t *testing.T) {
	e := newE2E(t, hubsim.Options{AutoApprove: hubsim.UserAlice})
	addr := freeAddr(t)
	base := "http://" + addr
	p := e.start("ui", "--no-open", "--addr", addr)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := browser.Get(base + "/auth/session")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("hfgate ui is not answering on %s: %v", addr, err)
		}
	}
	if r := e.run("", "whoami"); r.code != exitAuth {
		t.Fatalf("whoami before signing in: exit %d, want %d", r.code, exitAuth)
	}

	resp, err := browser.Get(base + "/auth/oauth/authorize/huggingface?return_to=/downloads")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != base+"/downloads" {
		t.Fatalf("sign-in ended with %s at %s", resp.Status, resp.Request.URL)
	}
	cred := e.storedCred()
	if cred == nil || cred.Username != hubsim.UserAlice {
		t.Fatalf("stored credential after the browser sign-in = %+v, want alice's", cred)
	}
	if r := e.mustRun("", "whoami"); !strings.Contains(r.stdout, hubsim.UserAlice) {
		t.Errorf("whoami after the browser sign-in: %q, want alice", r.stdout)
	}

	req, _ := http.NewRequest(http.MethodPost, base+"/auth/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", base)
	if resp, err = browser.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := e.run("", "whoami"); r.code != exitAuth {
		t.Errorf("whoami after signing out in the browser: exit %d, want %d", r.code, exitAuth)
	}

	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if r := e.wait(p); r.code != exitOK || !strings.Contains(r.stdout, base) {
		t.Errorf("hfgate ui after SIGINT: exit %d, stdout %q; want 0 and the URL printed", r.code, r.stdout)
	}
}
