package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/blobcache"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/policy"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/sqlstore"
)

// serveFlags are the flags of "hfgate serve".
type serveFlags struct {
	addr, publicURL string
	tlsCert, tlsKey string
	insecureListen  bool
	asJSON          bool
}

func (a *app) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve [--config FILE] [--addr ADDR] [--database URL] [--tls-cert FILE --tls-key FILE]",
		Short: "Run the gateway: sign-in, sessions and tokens for a team, in front of the Hub",
		Long: `Run hfgate's gateway: one server for a whole team in front of the Hugging Face Hub.

People sign in in a browser (/auth/oauth/authorize/huggingface, or any OpenID
Connect provider of the config) and see and end their own sessions and tokens at
/account. Tools sign in as they do to the Hub, with a device code: point them at
the gateway (HF_ENDPOINT=URL) and run "hf auth login" or
"hfgate login --endpoint URL --device". Scripts use personal tokens. Tokens are
opaque hf_... strings, stored only as hashes; revoking one (hfgate admin revoke,
or the admin API) is refused by every replica at once.

State is kept in a SQLite file (default $XDG_DATA_HOME/hfgate/gateway.db) or, for
several replicas, in PostgreSQL (--database postgres://...). Schema migrations run
at start. Each person's own Hugging Face token (upstream mode "user") is kept
sealed with AES-256-GCM under the keys of [keys] file or HFGATE_KEYS; for a SQLite
database without either, a key file is made beside it on the first start.

It listens on 127.0.0.1:8080 unless told otherwise. Any other address needs TLS
(--tls-cert and --tls-key), or --insecure-listen behind a reverse proxy that
terminates TLS for an https public URL ([server] public_url). Logs are JSON lines
on standard error, without tokens. /healthz, /readyz and /metrics are served too.
Ctrl-C (SIGTERM) stops it after the requests in flight.`,
		Example: `  hfgate serve
  hfgate serve --config gateway.toml
  hfgate serve --addr 127.0.0.1:0 --json        # {"url":...,"database":...} once listening
  hfgate serve --database postgres://hfgate@db.internal/hfgate --addr :8443 \
      --tls-cert /etc/hfgate/tls.crt --tls-key /etc/hfgate/tls.key`,
		Args: cobra.NoArgs,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			a.started = true
			a.cfg = new(Config) // the CLI's config file is not the gateway's
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return a.serve(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&a.gatewayConfigFlag, "config", "", "the gateway's config file (TOML)")
	fl.StringVar(&a.databaseFlag, "database", "", "sqlite:PATH or postgres://... (env HFGATE_DATABASE)")
	fl.StringVar(&f.addr, "addr", "", "host:port to listen on (default 127.0.0.1:8080; port 0 picks a free one)")
	fl.StringVar(&f.publicURL, "public-url", "", "the URL clients reach the gateway at (default http(s)://ADDR)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate (PEM) to serve https with")
	fl.StringVar(&f.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fl.BoolVar(&f.insecureListen, "insecure-listen", false, "listen on a non-loopback address without TLS (behind a TLS-terminating proxy)")
	fl.BoolVar(&f.asJSON, "json", false, `print {"url":URL,"database":...} on one line once listening`)
	return cmd
}

// gatewayRun is a configured gateway, ready to serve.
type gatewayRun struct {
	srv    *gateway.Server
	store  *sqlstore.Store
	audit  *audit.Writer
	cache  *blobcache.Cache // nil without [cache] dir
	ln     net.Listener
	tls    *tls.Config
	url    string
	dbURL  string
	logger *slog.Logger
}

func (a *app) serve(ctx context.Context, f serveFlags) error {
	cfg, err := a.gatewayCfg()
	if err != nil {
		return err
	}
	run, err := a.startGateway(ctx, cfg, f, nil)
	if err != nil {
		return err
	}
	if err := a.announceServe(f.asJSON, run.url, run.dbURL); err != nil {
		run.close()
		return err
	}
	return run.serve(ctx)
}

func (a *app) announceServe(asJSON bool, url, dbURL string) error {
	if asJSON {
		return a.printJSONLine(map[string]string{"url": url, "database": describeDB(dbURL)})
	}
	_, err := fmt.Fprintf(a.io.Out, "hfgate gateway on %s (state: %s)\n", url, describeDB(dbURL))
	return err
}

// startGateway opens the state, listens and builds the gateway; change
// may adjust its config (the demo does). The caller serves it.
func (a *app) startGateway(ctx context.Context, cfg *gatewayConfig, f serveFlags, change func(*gateway.Config)) (*gatewayRun, error) {
	tlsCert, tlsKey := firstNonEmpty(f.tlsCert, cfg.Server.TLSCert), firstNonEmpty(f.tlsKey, cfg.Server.TLSKey)
	if (tlsCert == "") != (tlsKey == "") {
		return nil, hfgate.Errorf(hfgate.EINVALID, "--tls-cert and --tls-key go together")
	}
	addr := firstNonEmpty(f.addr, cfg.Server.Addr, "127.0.0.1:8080")
	publicURL := firstNonEmpty(f.publicURL, cfg.Server.PublicURL)
	if err := checkListen(addr, tlsCert != "", publicURL, f.insecureListen); err != nil {
		return nil, err
	}
	var tlsCfg *tls.Config
	if tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot load the TLS certificate and key")
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	logger := slog.New(slog.NewJSONHandler(a.io.Err, nil))
	hub := firstNonEmpty(cfg.Hub.Endpoint, a.env("HF_ENDPOINT"), "https://huggingface.co")
	mode := gateway.UpstreamMode(firstNonEmpty(cfg.Hub.Upstream, string(gateway.UpstreamUser)))
	providers := cfg.providers(hub, a.env)
	needKeys := mode == gateway.UpstreamService || hasProvider(providers, "huggingface")
	store, dbURL, err := a.openGateway(ctx, cfg, needKeys, true, logger)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		store.Close()
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot listen on %s: is the port in use?", addr)
	}
	if publicURL == "" {
		scheme := "http"
		if tlsCfg != nil {
			scheme = "https"
		}
		publicURL = scheme + "://" + ln.Addr().String()
	}
	proxies, _ := cfg.trustedProxies()
	admins, _ := cfg.admins()
	pol, err := policy.New(cfg.policy())
	if err != nil {
		ln.Close()
		store.Close()
		return nil, err
	}
	batches := newAuditMetrics()
	log, err := audit.Open(ctx, store, audit.Config{Replica: cfg.replica(), OnBatch: batches.observe})
	if err != nil {
		ln.Close()
		store.Close()
		return nil, err
	}
	cache, err := openCache(ctx, cfg.Cache, logger)
	if err != nil {
		log.Close()
		ln.Close()
		store.Close()
		return nil, err
	}
	gc := gateway.Config{
		PublicURL: publicURL, Store: store, Hub: hub, Providers: providers, Upstream: mode,
		SessionTTL: time.Duration(cfg.Sessions.TTL), IdleTimeout: time.Duration(cfg.Sessions.IdleTimeout),
		AccessTTL: time.Duration(cfg.Tokens.AccessTTL), RefreshTTL: time.Duration(cfg.Tokens.RefreshTTL),
		Admins: admins, TrustedProxies: proxies, Logger: logger, Sealer: store.Sealer(),
		Proxy:           proxy.Config{Policy: pol, Audit: log},
		UserinfoRefresh: time.Duration(cfg.Hub.UserinfoRefresh),
		CI:              cfg.CI.gateway(),
	}
	cacheProxy(&gc.Proxy, cache, cfg.Cache)
	if change != nil {
		change(&gc)
	}
	srv, err := gateway.New(gc)
	if err == nil {
		err = batches.register(srv.Registry())
	}
	if err != nil {
		closeCache(cache)
		log.Close()
		ln.Close()
		store.Close()
		return nil, err
	}
	if cache == nil {
		logger.Info("no [cache] dir: files are fetched from the Hub for every download")
	}
	if len(cfg.Policy.Rules) == 0 && change == nil {
		logger.Warn("the config has no [[policy.rule]]: every Hub request is refused (default deny)")
	}
	return &gatewayRun{srv: srv, store: store, audit: log, cache: cache, ln: ln, tls: tlsCfg, url: publicURL, dbURL: dbURL, logger: logger}, nil
}

func hasProvider(ps []gateway.Provider, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// checkListen refuses to serve tokens in clear text over a network: a
// non-loopback address needs TLS, or an https public URL and
// --insecure-listen (a reverse proxy terminates TLS in front).
func checkListen(addr string, hasTLS bool, publicURL string, insecure bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return hfgate.Errorf(hfgate.EINVALID, "address %q is not host:port", addr)
	}
	if hasTLS || hfgate.IsLoopbackHost(host) {
		return nil
	}
	if insecure && strings.HasPrefix(publicURL, "https://") {
		return nil
	}
	return hfgate.Errorf(hfgate.EINVALID, "listening on %s without TLS would send tokens in clear text: use --tls-cert and --tls-key, "+
		"or, behind a reverse proxy that terminates TLS, --insecure-listen with an https public URL ([server] public_url)", addr)
}

// serve serves until ctx ends, then stops cleanly: requests in flight get
// ten seconds to finish.
func (r *gatewayRun) serve(ctx context.Context) error {
	defer r.close()
	hs := &http.Server{
		Handler: r.srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: 64 << 10, TLSConfig: r.tls,
		ErrorLog: slog.NewLogLogger(r.logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() {
		if r.tls != nil {
			served <- hs.ServeTLS(r.ln, "", "")
		} else {
			served <- hs.Serve(r.ln)
		}
	}()
	pctx, stopPurge := context.WithCancel(ctx)
	defer stopPurge()
	go r.purge(pctx)
	r.logger.Info("listening", "url", r.url, "database", describeDB(r.dbURL))
	select {
	case err := <-served:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the gateway stopped serving")
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(stop); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// purge removes ended sessions, codes and old tokens every hour.
func (r *gatewayRun) purge(ctx context.Context) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := r.store.Purge(ctx); err != nil && ctx.Err() == nil {
			r.logger.Warn("purge failed", "err", err)
		} else if n > 0 {
			r.logger.Info("purged what ended", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (r *gatewayRun) close() {
	r.srv.Close()
	r.ln.Close()
	closeCache(r.cache) // after the requests: the index is saved with their last use
	r.audit.Close()     // after the requests: their last events are recorded
	r.store.Close()
}
