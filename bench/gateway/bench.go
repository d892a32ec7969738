package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// o2pVersion is the oauth2-proxy the bench compares with.
const o2pVersion = "v7.15.6"

// bench is one run: a work directory, the built hfgate, and the servers.
type bench struct {
	cfg   config
	work  string
	bin   string // hfgate
	o2p   string // oauth2-proxy
	procs []*proc
	env   []string // of the gateway and hfgate admin: HFGATE_KEYS with PostgreSQL

	hub, cdn string // hubsim
	hubsim   *proc
	gw       target // the gateway, with a gateway token
	gwProc   *proc
	gwDB     string // the gateway's database URL
	o2pT     target
	direct   target // hubsim, with a hubsim token
	hubToken string // the token the gateway calls hubsim with (service mode)
	gwToken  string // the bench user's gateway token
	requests int    // requests made to the gateway, for the audit check
}

func newBench(ctx context.Context, cfg config) (*bench, error) {
	b := &bench{cfg: cfg}
	var err error
	if b.work, err = os.MkdirTemp("", "hfgate-gwbench-"); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(b.work, "logs"), 0o755); err != nil {
		return nil, err
	}
	b.logf("# hfgate gateway bench; work dir %s", b.work)
	b.logf("# machine: %s", machine())
	b.bin = filepath.Join(b.work, "hfgate")
	if err := b.goCmd(ctx, nil, "build", "-o", b.bin, "./cmd/hfgate"); err != nil {
		b.close()
		return nil, err
	}
	needO2P := strings.ContainsAny(cfg.only, "ml")
	if needO2P {
		if b.o2p, err = b.oauth2ProxyBinary(ctx); err != nil {
			b.close()
			return nil, err
		}
	}
	var urls struct{ Hub, CDN string }
	if b.hubsim, err = b.startProc("hubsim", []string{b.bin, "hubsim", "--json", "--addr", "127.0.0.1:0", "--cdn-addr", "127.0.0.1:0"}, nil, &urls); err != nil {
		b.close()
		return nil, err
	}
	b.hub, b.cdn = urls.Hub, urls.CDN
	b.logf("# hubsim: hub %s, cdn %s", b.hub, b.cdn)
	var tok struct{ Token string }
	if err := b.hubsimAdmin(ctx, http.MethodPost, "/_hubsim/tokens", `{"user":"alice"}`, &tok); err != nil {
		b.close()
		return nil, err
	}
	b.hubToken = tok.Token
	b.direct = target{name: "hubsim", base: b.hub, header: http.Header{"Authorization": {"Bearer " + tok.Token}}}
	if b.gw, err = b.gateway(ctx); err != nil {
		b.close()
		return nil, err
	}
	if needO2P {
		if b.o2pT, err = b.oauth2Proxy(ctx); err != nil {
			b.close()
			return nil, err
		}
	}
	return b, nil
}

// oauth2ProxyBinary returns --oauth2-proxy, or the cached build, which it
// makes with go install when it is missing.
func (b *bench) oauth2ProxyBinary(ctx context.Context) (string, error) {
	if b.cfg.o2p != "" {
		return b.cfg.o2p, nil
	}
	bin := filepath.Join(cacheBin(), "oauth2-proxy-"+o2pVersion)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	gobin := filepath.Join(b.work, "gobin")
	b.logf("# building oauth2-proxy %s once into %s (several minutes)", o2pVersion, bin)
	if err := b.goCmd(ctx, []string{"GOBIN=" + gobin}, "install", "github.com/oauth2-proxy/oauth2-proxy/v7@"+o2pVersion); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	if err := os.Rename(filepath.Join(gobin, "oauth2-proxy"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// goCmd runs the go command, printing it.
func (b *bench) goCmd(ctx context.Context, env []string, args ...string) error {
	argv := append([]string{"go"}, args...)
	b.logf("$ %s", report.ShellJoin(argv))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w", args[0], err)
	}
	return nil
}

// hubsimAdmin calls one of hubsim's /_hubsim/ routes.
func (b *bench) hubsimAdmin(ctx context.Context, method, path, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, b.hub+path, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("hubsim %s %s: %s %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// close stops every server and removes the work directory.
func (b *bench) close() {
	for i := len(b.procs) - 1; i >= 0; i-- {
		b.procs[i].stop()
	}
	if b.cfg.keep {
		b.logf("# kept %s", b.work)
		return
	}
	os.RemoveAll(b.work)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}
