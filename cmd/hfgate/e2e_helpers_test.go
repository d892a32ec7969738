package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// These helpers run the real hfgate binary, built once per test run, against
// hubsim, in a fresh HOME with every XDG and HF location inside it.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// hfgateBin builds cmd/hfgate once and returns the binary's path.
func hfgateBin(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "hfgate-e2e-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "hfgate")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// e2e is one isolated user of the binary against one hubsim.
type e2e struct {
	t    *testing.T
	bin  string
	hub  *hubsim.Server
	home string
	env  []string

	mu      sync.Mutex
	outputs []string // every stdout and stderr, except hfgate token's stdout
	secrets []string // every token and code seen; none may appear in outputs
}

// newE2E starts hubsim with opts and prepares a home directory. There is no
// D-Bus session, so credentials go to the 0600 fallback file. At cleanup it
// fails the test if any secret it saw appears in any output.
func newE2E(t *testing.T, opts hubsim.Options) *e2e {
	t.Helper()
	e := &e2e{t: t, bin: hfgateBin(t), hub: hubsimtest.Start(t, opts), home: t.TempDir()}
	e.env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + e.home,
		"XDG_CONFIG_HOME=" + filepath.Join(e.home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(e.home, "cache"),
		"HF_HOME=" + filepath.Join(e.home, "hf"),
		"HF_ENDPOINT=" + e.hub.URL(),
		"HUGGINGFACE_CLIENT_ID=" + hubsim.ClientPublic,
	}
	t.Cleanup(e.checkNoSecretsPrinted)
	return e
}

// setenv adds or replaces an environment variable for later runs.
func (e *e2e) setenv(key, value string) {
	e.env = append(e.env, key+"="+value) // the last one wins in exec
}

// addSecret records values that must never be printed.
func (e *e2e) addSecret(values ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range values {
		if v != "" {
			e.secrets = append(e.secrets, v)
		}
	}
}

func (e *e2e) record(outs ...string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.outputs = append(e.outputs, outs...)
}

// result is a finished run.
type result struct {
	stdout, stderr string
	code           int
	maxRSS         int64 // peak resident memory in bytes; see runMeasured
}

// run runs hfgate with stdin to completion, within a minute.
func (e *e2e) run(stdin string, args ...string) result {
	e.t.Helper()
	return e.runVia(stdin, nil, args)
}

// runVia is run with the binary started through the command via (a
// measuring wrapper), if any.
func (e *e2e) runVia(stdin string, via []string, args []string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	argv := append(append(slices.Clone(via), e.bin), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = e.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode(), maxRSS: maxRSS(cmd.ProcessState)}
	if ee := (*exec.ExitError)(nil); err != nil && !errors.As(err, &ee) {
		e.t.Fatalf("hfgate %s: %v", strings.Join(args, " "), err)
	}
	if len(args) > 0 && args[0] == "token" || len(args) > 2 && args[0] == "admin" && args[1] == "tokens" && args[2] == "create" {
		e.record(r.stderr) // their stdout is the one place a token belongs
	} else {
		e.record(r.stdout, r.stderr)
	}
	e.t.Logf("hfgate %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	return r
}

// mustRun runs hfgate and fails the test unless it exits 0.
func (e *e2e) mustRun(stdin string, args ...string) result {
	e.t.Helper()
	r := e.run(stdin, args...)
	if r.code != 0 {
		e.t.Fatalf("hfgate %s: exit %d: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// token runs hfgate token and returns the printed token.
func (e *e2e) token() string {
	e.t.Helper()
	tok := strings.TrimSpace(e.mustRun("", "token").stdout)
	e.addSecret(tok)
	return tok
}

// proc is a running hfgate whose stderr is read line by line.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string
	stdout bytes.Buffer
	stderr bytes.Buffer // complete once done is closed
	done   chan struct{}
	code   int
}

// start starts hfgate in the background; wait collects it.
func (e *e2e) start(args ...string) *proc {
	e.t.Helper()
	return e.startWith(nil, args...)
}

// startWith starts hfgate with its stdout also going to out (if not nil),
// which may read it while it runs.
func (e *e2e) startWith(out io.Writer, args ...string) *proc {
	e.t.Helper()
	p := &proc{cmd: exec.Command(e.bin, args...), lines: make(chan string, 100), done: make(chan struct{})}
	p.cmd.Env = e.env
	p.cmd.Stdout = &p.stdout
	if out != nil {
		p.cmd.Stdout = io.MultiWriter(&p.stdout, out)
	}
	pipe, err := p.cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			p.stderr.WriteString(sc.Text() + "\n")
			select {
			case p.lines <- sc.Text():
			default:
			}
		}
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.lines)
		close(p.done)
	}()
	e.t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitLine returns the first stderr line containing substr.
func (p *proc) waitLine(tb testing.TB, substr string) string {
	tb.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				tb.Fatalf("hfgate exited before printing %q:\n%s", substr, p.stderr.String())
			}
			if strings.Contains(line, substr) {
				return strings.TrimSpace(line)
			}
		case <-timeout:
			tb.Fatalf("hfgate printed no %q within 30s", substr)
		}
	}
}

// waitForFile returns the content of path once it exists (a fake program
// the binary ran writes it), failing with why after 30 seconds.
func waitForFile(tb testing.TB, path, why string) []byte {
	tb.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			return b
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s within 30s", why)
		}
	}
}

// wait waits for the process to exit and records its output.
func (e *e2e) wait(p *proc) result {
	e.t.Helper()
	select {
	case <-p.done:
	case <-time.After(time.Minute):
		e.t.Fatal("hfgate did not exit within a minute")
	}
	r := result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: p.code}
	e.record(r.stdout, r.stderr)
	e.t.Logf("hfgate %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(p.cmd.Args[1:], " "), r.code, r.stdout, r.stderr)
	return r
}

// credFile is the fallback credentials file.
func (e *e2e) credFile() string {
	return filepath.Join(e.home, "config", "hfgate", "credentials.json")
}

// storedCred reads hubsim's entry from the fallback file and records its
// tokens as secrets. It returns nil if there is none.
func (e *e2e) storedCred() *hfgate.Credential {
	e.t.Helper()
	data, err := os.ReadFile(e.credFile())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	var entries map[string]*hfgate.Credential
	if err := json.Unmarshal(data, &entries); err != nil {
		e.t.Fatalf("credentials file: %v", err)
	}
	c := entries[e.hub.URL()]
	if c != nil {
		e.addSecret(c.AccessToken, c.RefreshToken)
	}
	return c
}

// checkNoSecretsPrinted fails if a token or code appears in any output.
func (e *e2e) checkNoSecretsPrinted() {
	e.storedCred()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, out := range e.outputs {
		for _, s := range e.secrets {
			if strings.Contains(out, s) {
				e.t.Errorf("output contains the secret %.12s…:\n%s", s, out)
			}
		}
	}
}
