package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/postgres/postgrestest"
)

// gatewayDB is a database for the gateway tests: a SQLite file, or a fresh
// schema on the test PostgreSQL server.
type gatewayDB struct{ name, url string }

// forEachGatewayDB runs test on SQLite and on PostgreSQL (skipped, or
// failed when required, without a server).
func forEachGatewayDB(t *testing.T, test func(t *testing.T, db gatewayDB)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, gatewayDB{"sqlite", "sqlite:" + filepath.Join(t.TempDir(), "gateway.db")})
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, gatewayDB{"postgres", postgrestest.URL(t)})
	})
}

// gatewayConfigFile writes a gateway config for hubsim with keys, and
// returns its path.
func (e *e2e) gatewayConfigFile(keys ...string) string {
	e.t.Helper()
	dir := e.t.TempDir()
	keyFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keyFile, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
		e.t.Fatal(err)
	}
	cfg := fmt.Sprintf(`[hub]
endpoint = %q

[huggingface]
client_id = %q
client_secret = %q

[keys]
file = %q

[admins]
users = ["alice"]
`, e.hub.URL(), hubsim.ClientConfidential, hubsim.ClientSecret, keyFile)
	path := filepath.Join(dir, "gateway.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return path
}

// newKey returns a new key-file line; it never appears in any output.
func (e *e2e) newKey(id string) string {
	e.t.Helper()
	line, err := keyset.Generate(id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.addSecret(strings.SplitN(line, ":", 2)[1])
	return line
}

// serving is a running hfgate serve.
type serving struct {
	p   *proc
	url string
}

// serve starts hfgate serve on a free port and waits until it listens:
// its first line of standard output, {"url":...}.
func (e *e2e) serve(config, db string) *serving {
	e.t.Helper()
	p := &proc{cmd: exec.Command(e.bin, "serve", "--config", config, "--database", db, "--addr", "127.0.0.1:0", "--json"),
		lines: make(chan string, 100), done: make(chan struct{})}
	p.cmd.Env = e.env
	p.cmd.Stderr = &syncBuffer{b: &p.stderr}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(first)
		close(p.lines)
		close(p.done)
	}()
	e.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	var line string
	select {
	case line = <-first:
	case <-time.After(time.Minute):
		e.t.Fatal("hfgate serve did not start within a minute")
	}
	var got struct{ URL string }
	if err := json.Unmarshal([]byte(line), &got); err != nil || got.URL == "" {
		<-p.done
		e.t.Fatalf("serve --json printed %q; stderr:\n%s", line, p.stderr.String())
	}
	return &serving{p: p, url: got.URL}
}

// syncBuffer is a bytes.Buffer a process writes while a test may read it.
type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// stop stops the gateway as Ctrl-C does, and checks that it exits 0.
func (e *e2e) stop(s *serving) {
	e.t.Helper()
	s.p.cmd.Process.Signal(syscall.SIGINT)
	if r := e.wait(s.p); r.code != 0 {
		e.t.Fatalf("serve exited %d", r.code)
	}
}

// gwBrowser is a browser signed in to hubsim as user (consent approved at
// once), with its own cookies.
func (e *e2e) gwBrowser(user string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	cookie, err := e.hub.SignIn(user, true)
	if err != nil {
		e.t.Fatal(err)
	}
	u, _ := url.Parse(e.hub.URL())
	jar.SetCookies(u, []*http.Cookie{cookie})
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// signInGateway signs b in to the gateway at gw and returns its subject.
func (e *e2e) signInGateway(b *http.Client, gw string) string {
	e.t.Helper()
	resp, err := b.Get(gw + "/auth/oauth/authorize/huggingface?return_to=/api/account")
	if err != nil {
		e.t.Fatal(err)
	}
	var acct struct {
		User struct{ Subject string }
	}
	body := readAll(e.t, resp)
	if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &acct) != nil || acct.User.Subject == "" {
		e.t.Fatalf("sign-in to the gateway: %d %s", resp.StatusCode, body)
	}
	return acct.User.Subject
}

// approveDevice approves user code code at the gateway in b, as a person
// on the device page does.
func (e *e2e) approveDevice(b *http.Client, gw, code string) {
	e.t.Helper()
	resp, err := b.Get(gw + "/oauth/device?user_code=" + url.QueryEscape(code))
	if err != nil {
		e.t.Fatal(err)
	}
	page := readAll(e.t, resp)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		e.t.Fatalf("device page %d without a form:\n%s", resp.StatusCode, page)
	}
	req, _ := http.NewRequest("POST", gw+"/oauth/device/decision", strings.NewReader(url.Values{
		"csrf_token": {m[1]}, "user_code": {code}, "decision": {"approve"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", gw)
	resp, err = b.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if body := readAll(e.t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "approved") {
		e.t.Fatalf("approval: %d\n%s", resp.StatusCode, body)
	}
}

// gatewayWhoami returns the status of GET /api/whoami-v2 with token at gw.
func gatewayWhoami(t *testing.T, gw, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", gw+"/api/whoami-v2", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
