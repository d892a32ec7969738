package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// gatewayConfig is the gateway's config file: hubsim upstream with one
// service token, a file cache in the work directory, the bench user an
// admin (for hfgate admin cache rm); the demo policy (everyone may read metadata and download
// hubsim's repos) follows it, from cmd/hfgate/testdata.
const gatewayConfig = `[hub]
endpoint = %q
upstream = "service"

[admins]
users = ["local:bench"]

[cache]
dir = %q

`

// demoPolicy is the demo policy's config file, from the module's root.
const demoPolicy = "cmd/hfgate/testdata/gateway-demo.toml"

// gateway starts "hfgate serve" on a SQLite file in the work directory,
// in front of hubsim with a service token, and returns it as a target
// with a personal token of a user made for the bench.
func (b *bench) gateway(ctx context.Context) (target, error) {
	policy, err := os.ReadFile(demoPolicy)
	if err != nil {
		return target{}, fmt.Errorf("run the bench from the module's root: %w", err)
	}
	conf := filepath.Join(b.work, "gateway.toml")
	if err := os.WriteFile(conf, append(fmt.Appendf(nil, gatewayConfig, b.hub, filepath.Join(b.work, "cache")), policy...), 0o600); err != nil {
		return target{}, err
	}
	b.gwDB = b.cfg.db
	if b.gwDB == "" {
		b.gwDB = "sqlite:" + filepath.Join(b.work, "gateway.db")
	}
	state := []string{"--config", conf, "--database", b.gwDB}
	if !strings.HasPrefix(b.gwDB, "sqlite:") {
		// PostgreSQL replicas share their keys, so none is made for them.
		key, err := b.admin(ctx, "", "keys", "generate", "--id", "bench")
		if err != nil {
			return target{}, err
		}
		b.env = []string{"HFGATE_KEYS=" + strings.TrimSpace(string(key))}
	}
	var out struct{ URL string }
	if b.gwProc, err = b.startProc("gateway", append([]string{b.bin, "serve", "--addr", "127.0.0.1:0", "--json"}, state...), b.env, &out); err != nil {
		return target{}, err
	}
	if _, err := b.admin(ctx, b.hubToken, append([]string{"upstream", "set-token"}, state...)...); err != nil {
		return target{}, err
	}
	if _, err := b.admin(ctx, "", append([]string{"users", "create", "bench"}, state...)...); err != nil {
		return target{}, err
	}
	js, err := b.admin(ctx, "", append([]string{"tokens", "create", "--user", "local:bench", "--name", "bench", "--ttl", "2h", "--json"}, state...)...)
	if err != nil {
		return target{}, err
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(js, &tok); err != nil || tok.Token == "" {
		return target{}, fmt.Errorf("hfgate admin tokens create printed %q", js)
	}
	b.gwToken = tok.Token
	b.logf("# gateway: %s (state %s), a token of local:bench", out.URL, b.gwDB)
	return target{name: "gateway", base: strings.TrimRight(out.URL, "/"), header: http.Header{"Authorization": {"Bearer " + tok.Token}}}, nil
}

// admin runs "hfgate admin ARGS" with stdin and returns its output.
func (b *bench) admin(ctx context.Context, stdin string, args ...string) ([]byte, error) {
	argv := append([]string{b.bin, "admin"}, args...)
	b.logf("$ %s", report.ShellJoin(argv))
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + b.work}, b.env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return nil, fmt.Errorf("hfgate admin %s: %w: %s", args[0], err, ee.Stderr)
		}
		return nil, err
	}
	return out, nil
}
