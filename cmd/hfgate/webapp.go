package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/web"
)

// This file holds what "hfgate ui" and "hfgate demo" share: wiring the web
// app to a Hub, a cache and a credential store, and serving it on loopback.

// webFlags are the flags of ui and demo.
type webFlags struct {
	addr   string
	noOpen bool
	asJSON bool
	memory string // --memory: the budget instead of the available memory
}

// register adds the flags to cmd; jsonHelp describes what --json prints.
func (f *webFlags) register(cmd *cobra.Command, jsonHelp string) {
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:0", "loopback host:port of the web app (port 0 picks a free port)")
	fl.BoolVar(&f.noOpen, "no-open", false, "do not open a browser; only print the URL")
	fl.StringVar(&f.memory, "memory", "", "memory a model may use, e.g. 16GiB (default: what is available now)")
	fl.BoolVar(&f.asJSON, "json", false, jsonHelp)
}

// newWebApp wires the web app: hub for the API, cache for downloads,
// creds for sign-ins, budget for the fits verdicts; sessions live in
// memory, and the downloads list starts from what the cache holds. A new
// launch secret and instance id are made for it. BaseURL is set by
// serveWeb.
func (a *app) newWebApp(ctx context.Context, endpoint string, hub *hfhub.Client, cache hfcache.Cache, offline bool, creds hfgate.CredentialStore, budget fit.Budget, logger *slog.Logger) *web.Server {
	d := &download.Downloader{Hub: hub, Cache: cache, Offline: offline}
	downloads := &web.Downloads{Fetch: func(ctx context.Context, repo hfgate.RepoID, rev string, files []string, rep download.Reporter) (string, error) {
		res, err := d.Download(ctx, download.Request{Repo: repo, Revision: rev, Files: files}, rep)
		if err != nil {
			return "", err
		}
		if len(res) == 0 {
			return "", hfgate.Errorf(hfgate.ENOTFOUND, "%s has no file %s", repo, files[0])
		}
		return res[0].Path, nil
	}}
	if err := downloads.Restore(ctx, cache); err != nil {
		logger.Warn("web: the downloads list starts empty: the cache could not be read", "err", err)
	}
	return &web.Server{
		LaunchSecret: rand.Text(),
		Instance:     strings.ToLower(rand.Text()[:10]),
		IPFS:         &webIPFS{a: a, cache: cache},
		Hub:          hub,
		Endpoint:     endpoint,
		Credentials:  creds,
		Sessions:     &memstore.Store{},
		Downloads:    downloads,
		CacheDir:     cache.Dir,
		Budget:       budget,
		Open:         func(repo hfgate.RepoID, commit string) fit.Opener { return opener(hub, repo, commit) },
		Logger:       logger,
	}
}

// listenWeb listens on addr, which must be a loopback address: the app
// holds the user's Hugging Face sign-in and must not be reachable from the
// network.
func listenWeb(ctx context.Context, addr string) (net.Listener, error) {
	if err := checkLoopbackAddr(addr); err != nil {
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"address %q is not a loopback host:port: the web app only listens on this machine, e.g. --addr 127.0.0.1:8080", addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"cannot listen on %s: is the port in use? Choose another with --addr, or port 0 for a free one", addr)
	}
	return ln, nil
}

// serveWeb serves srv on ln until ctx ends, then stops it cleanly,
// canceling running downloads (they resume next time). announce prints
// where it runs once it is listening.
func (a *app) serveWeb(ctx context.Context, ln net.Listener, srv *web.Server, f webFlags, announce func(url string) error) error {
	srv.BaseURL = "http://" + ln.Addr().String()
	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(srv.Logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- httpSrv.Serve(ln) }()
	defer srv.Downloads.Close()
	go srv.Warm(ctx) // the first page's recommendations, ready when it asks
	// The URL holds this launch's secret: whoever opens it may use the app.
	url := srv.BaseURL + "/?token=" + srv.LaunchSecret
	if err := announce(url); err != nil {
		httpSrv.Close()
		return err
	}
	if !f.noOpen {
		remove, err := a.openLaunch(url)
		defer remove()
		if err != nil {
			fmt.Fprintf(a.io.Err, "hfgate: could not open a browser (%v): open the link above yourself\n", err)
		}
	}
	select {
	case err := <-served:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the web server stopped: %v", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutdown); err != nil {
		httpSrv.Close()
	}
	return nil
}

// printJSONLine writes v as one line of JSON, for tests and scripts.
func (a *app) printJSONLine(v any) error {
	return json.NewEncoder(a.io.Out).Encode(v)
}

// webTokens returns the token source of a web app on endpoint over
// store: a signed-in browser acts for the local account, whose credential
// its sign-in stored (web.Server keeps sessions valid only while that
// credential is the same account's); an anonymous request gets no token.
// Nothing is cached, so that a sign-out in a terminal takes effect at once.
func (a *app) webTokens(endpoint string, store hfgate.CredentialStore) *oidcauth.TokenSource {
	return &oidcauth.TokenSource{
		Store:    store,
		Endpoint: endpoint,
		Open:     a.openProvider,
		Subject:  func(*hfgate.Principal) string { return hfgate.LocalSubject },
	}
}
