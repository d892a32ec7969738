package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// proc is a server the bench started.
type proc struct {
	name string
	cmd  *exec.Cmd
}

// startProc runs argv with env (on top of a minimal environment), its
// output in logs/NAME.log, and, when jsonLine is set, waits for the first
// line of standard output that decodes into it.
func (b *bench) startProc(name string, argv, env []string, jsonLine any) (*proc, error) {
	logf, err := os.Create(filepath.Join(b.work, "logs", name+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + b.work}, env...)
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out io.ReadCloser
	if jsonLine != nil {
		if out, err = cmd.StdoutPipe(); err != nil {
			return nil, err
		}
	} else {
		cmd.Stdout = logf
	}
	b.logf("$ %s &", report.ShellJoin(append(append([]string{"env", "-i"}, redact(cmd.Env)...), argv...)))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd}
	b.procs = append(b.procs, p)
	if jsonLine != nil {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if json.Unmarshal(lines.Bytes(), jsonLine) == nil {
				go io.Copy(io.Discard, out)
				return p, nil
			}
		}
		return nil, fmt.Errorf("%s printed no JSON line (see %s)", name, filepath.Join(b.work, "logs", name+".log"))
	}
	return p, nil
}

// redact hides the values of secrets in an environment for printing.
func redact(env []string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == "HFGATE_KEYS" {
			kv = k + "=…"
		}
		out[i] = kv
	}
	return out
}

// stop interrupts the process and waits for it.
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// freeAddr returns a loopback address no one listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitHTTP waits until url answers at all.
func waitHTTP(ctx context.Context, url string) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("%s does not answer: %w", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// oauth2Proxy starts oauth2-proxy in front of hubsim, signed in with
// hubsim's OpenID Connect provider (its confidential app, PKCE S256), and
// returns the target with the session cookie of alice, who hubsim
// approves at once.
func (b *bench) oauth2Proxy(ctx context.Context) (target, error) {
	addr, err := freeAddr()
	if err != nil {
		return target{}, err
	}
	base := "http://" + addr
	if err := b.hubsimAdmin(ctx, http.MethodPut, "/_hubsim/auto-approve", `{"user":"alice"}`, nil); err != nil {
		return target{}, err
	}
	argv := []string{b.o2p,
		"--provider=oidc", "--oidc-issuer-url=" + b.hub, "--client-id=hubsim-confidential", "--client-secret=hubsim-secret",
		"--code-challenge-method=S256", "--scope=openid profile email", "--insecure-oidc-allow-unverified-email",
		"--email-domain=*", "--upstream=" + b.hub, "--http-address=" + addr,
		// hubsim accepts loopback redirect URIs at /callback on any port.
		"--proxy-prefix=", "--redirect-url=" + base + "/callback", "--skip-provider-button",
		"--cookie-secret=" + strings.Repeat("b", 32), "--cookie-secure=false",
		// Nothing of the session upstream: hubsim answers anonymous calls.
		"--pass-basic-auth=false", "--pass-user-headers=false", "--request-logging=false"}
	if _, err := b.startProc("oauth2-proxy", argv, nil, nil); err != nil {
		return target{}, err
	}
	if err := waitHTTP(ctx, base+"/ping"); err != nil {
		return target{}, err
	}
	// Sign in as a browser would: follow the redirects, keep the cookie.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := client.Get(base + "/")
	if err != nil {
		return target{}, fmt.Errorf("oauth2-proxy sign-in: %w", err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	var cookies []string
	for _, c := range jar.Cookies(u) {
		if strings.HasPrefix(c.Name, "_oauth2_proxy") && !strings.HasSuffix(c.Name, "_csrf") {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
	}
	if len(cookies) == 0 {
		return target{}, fmt.Errorf("oauth2-proxy gave no session cookie (see logs/oauth2-proxy.log)")
	}
	b.logf("# oauth2-proxy: %s, signed in as alice (session cookie)", base)
	return target{name: "oauth2-proxy", base: base, header: http.Header{"Cookie": {strings.Join(cookies, "; ")}}}, nil
}
