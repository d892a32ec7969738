package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/memstore"
)

func (a *app) demoCmd() *cobra.Command {
	var (
		f           webFlags
		withGateway bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try everything with no account: a simulated Hub and the web app",
		Long: `Run hubsim, the built-in simulated Hugging Face Hub, and the web app wired to
it, then open the app in the browser. "Connect Hugging Face" goes through a real
OAuth sign-in with the simulated Hub's consent page, where you pick a user:
alice (granted the gated model) or bob (not granted).

The demo keeps to itself: downloads go to a separate cache
($XDG_CACHE_HOME/hfgate/demo/hub, not your Hugging Face cache), and simulated
tokens stay in memory, never in your keyring. Everything listens on loopback
only, and, as with "hfgate ui", only the browser that opened the printed URL
(it holds a secret for this launch) may use the app. Ctrl-C stops it.

With --gateway it runs the team gateway of "hfgate serve" instead, wired to the
simulated Hub, with its state in a SQLite file and a team cache (up to 4 GiB) in a
temporary directory (removed when it stops) and alice as its admin: sign in there as alice or bob, see your
sessions at /account, sign a tool in with "hfgate login --endpoint URL --device";
alice runs the admin console at /admin. It trusts the simulated Hub's GitHub
Actions for the jobs of acme/app (repository_id 42, repository_owner_id 7) on
refs/heads/main: such a job gets a gateway token with "hfgate token --exchange",
and no stored secret (the demo prints how to start one).`,
		Example: `  hfgate demo
  hfgate demo --addr 127.0.0.1:8080 --no-open
  hfgate demo --no-open --json     # one line: {"url":...,"hub":...,"cache":...}
  hfgate demo --gateway --no-open  # the team gateway, on SQLite in a temporary directory`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if withGateway {
				return a.demoGateway(cmd.Context(), f)
			}
			return a.demo(cmd.Context(), f)
		},
	}
	f.register(cmd, `print {"url":URL,"hub":URL,"cache":DIR} on one line once listening (with --gateway: {"gateway","hub","database"})`)
	cmd.Flags().BoolVar(&withGateway, "gateway", false, "run the team gateway (hfgate serve) in front of the simulated Hub instead of the web app")
	return cmd
}

// demoCacheDir is the demo's own hub cache, apart from the user's.
func (a *app) demoCacheDir() string {
	return filepath.Join(a.xdgDir("XDG_CACHE_HOME", ".cache"), "hfgate", "demo", "hub")
}

func (a *app) demo(ctx context.Context, f webFlags) error {
	budget, err := a.memoryBudget(f.memory)
	if err != nil {
		return err
	}
	ln, err := listenWeb(ctx, f.addr)
	if err != nil {
		return err
	}
	sim, err := hubsim.New(hubsim.Options{})
	if err != nil {
		ln.Close()
		return hfgate.WrapError(hfgate.EINTERNAL, err, "start the simulated Hub")
	}
	if err := sim.Start("127.0.0.1:0", "127.0.0.1:0"); err != nil {
		ln.Close()
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot start the simulated Hub: %v", err)
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sim.Shutdown(stop); err != nil {
			sim.Close()
		}
	}()

	creds := &memstore.Store{} // simulated tokens never reach the keyring
	hub := &hfhub.Client{
		Endpoint:  sim.URL(),
		UserAgent: "hfgate/" + version(),
		Token:     a.webTokens(sim.URL(), creds).Token,
	}
	cache := hfcache.Cache{Dir: a.demoCacheDir()}
	logger := slog.New(slog.NewTextHandler(a.io.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := a.newWebApp(ctx, sim.URL(), hub, cache, false, creds, budget, logger)
	cfg := oidcConfig(sim.URL(), hubsim.ClientPublic, "", nil)
	srv.OAuth = &cfg

	return a.serveWeb(ctx, ln, srv, f, func(url string) error {
		if f.asJSON {
			return a.printJSONLine(map[string]string{"url": url, "hub": sim.URL(), "cache": cache.Dir})
		}
		_, err := fmt.Fprintf(a.io.Out, `hfgate demo is running (Ctrl-C stops it).

  Open %s

  Simulated Hub: %s
  Demo cache:    %s (not your Hugging Face cache)

Click "Connect Hugging Face" and pick a user on the consent page:
  alice  Alice Martin, granted the gated model meta-llama/Llama-3.2-1B-Instruct
  bob    Bob Chen, not granted: the gated model asks him to request access
Try: search "coder" with GGUF only, open hubsim/tiny-llama-GGUF, download a file.
`, url, sim.URL(), cache.Dir)
		return err
	})
}
