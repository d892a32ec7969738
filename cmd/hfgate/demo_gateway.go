package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/policy"
)

// demoCacheSize bounds the demo's team cache, which lives in a temporary
// directory: enough for the tiny and small simulated models, so that a
// second download shows the cache at work without filling a laptop's disk.
const demoCacheSize = "4GiB"

// demoGateway runs hubsim and the gateway wired to it, on SQLite and with
// a team cache in a temporary directory.

func (a *app) demoGateway(ctx context.Context, f webFlags) error {
	if err := checkLoopbackAddr(f.addr); err != nil {
		return err
	}
	// The demo policy: members of acme may download what the Hub lets
	// them; acme's app CI may download hubsim's repos; everyone else may
	// search and read metadata, and download only hubsim's repos.
	demoPolicy, err := policy.New(policy.Demo())
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "the demo policy")
	}
	sim, err := hubsim.New(hubsim.Options{})
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "start the simulated Hub")
	}
	if err := sim.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot start the simulated Hub: %v", err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sim.Shutdown(stop); err != nil {
			sim.Close()
		}
	}()
	dir, err := os.MkdirTemp("", "hfgate-demo-gateway-*")
	if err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "cannot make a temporary directory")
	}
	defer os.RemoveAll(dir)
	keys := filepath.Join(dir, "keys")
	line, err := keyset.Generate("demo")
	if err == nil {
		err = keyset.WriteFile(keys, line)
	}
	if err != nil {
		return err
	}

	cfg := new(gatewayConfig)
	cfg.Hub.Endpoint = sim.URL()
	cfg.Keys.File = keys
	cfg.HuggingFace = providerConfig{Title: "the simulated Hub", ClientID: hubsim.ClientConfidential, ClientSecret: hubsim.ClientSecret}
	cfg.Admins.Users = []string{hubsim.UserAlice}
	cfg.Cache = cacheConfig{Dir: filepath.Join(dir, "cache"), MaxSize: demoCacheSize}
	a.databaseFlag = "sqlite:" + filepath.Join(dir, "gateway.db")
	run, err := a.startGateway(ctx, cfg, serveFlags{addr: f.addr}, func(gc *gateway.Config) {
		gc.Proxy.Policy, gc.CI, gc.ExampleRepo = demoPolicy, demoCI(sim), hubsim.RepoTiny
	})
	if err != nil {
		return err
	}
	if f.asJSON {
		err = a.printJSONLine(map[string]string{"gateway": run.url, "hub": sim.URL(), "database": a.databaseFlag, "cache": cfg.Cache.Dir})
	} else {
		_, err = fmt.Fprintf(a.io.Out, `hfgate demo --gateway is running (Ctrl-C stops it).

  Gateway:       %s
  Simulated Hub: %s
  State:         %s (removed when it stops)

Sign in at the gateway as alice (its admin, in org acme) or bob, and see your
sessions at %s/account; alice runs the admin console at %s/admin.
Sign a tool in:  hfgate login --endpoint %s --device
Point HF tools:  export HF_ENDPOINT=%s
The demo policy: members of acme download anything the Hub lets them; everyone
else searches and reads metadata of anything, and downloads only hubsim/*.
The audit log:   hfgate admin audit --database %s
The team cache:  each file is fetched from the Hub once and then served from
                 %s (at most %s); see %s/admin/cache.

CI without a stored secret: the gateway trusts hubsim's simulated GitHub Actions
for jobs of acme/app (repository_id 42, owner 7) on refs/heads/main. Start a job:
  curl -s -X POST %s/_hubsim/ci/jobs -d '%s'
then, with its request_url and request_token:
  ACTIONS_ID_TOKEN_REQUEST_URL=... ACTIONS_ID_TOKEN_REQUEST_TOKEN=... \
    HF_ENDPOINT=%s hfgate token --exchange
`, run.url, sim.URL(), filepath.Join(dir, "gateway.db"), run.url, run.url, run.url, run.url, a.databaseFlag, cfg.Cache.Dir, demoCacheSize, run.url, sim.URL(), demoJob, run.url)
	}
	if err != nil {
		run.close()
		return err
	}
	if !f.noOpen {
		if err := openBrowser(run.url + "/"); err != nil {
			fmt.Fprintf(a.io.Err, "hfgate: could not open a browser (%v): open %s yourself\n", err, run.url)
		}
	}
	return run.serve(ctx)
}
