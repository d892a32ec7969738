package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
)

func (a *app) uiCmd() *cobra.Command {
	var f webFlags
	cmd := &cobra.Command{
		Use:   "ui",
		Short: "Open the web app: connect Hugging Face, browse models, download with progress",
		Long: `Serve hfgate's web app on this machine and open it in the browser.

"Connect Hugging Face" signs in with OAuth (PKCE, state and nonce, the code
exchanged by hfgate itself); the tokens go to the same credential store as
"hfgate login", so signing in here signs in the command line too, and signing
out here signs it out. The browser only ever holds a random session cookie.
Search the Hub, see which files fit this machine's memory, and download them,
verified, into the standard Hugging Face cache.

Only the person who started it can use it: the URL it prints and opens holds
a secret for this launch (?token=...), exchanged once by the browser for a
cookie and a key of the page's own; every other request is refused, so other
users of this machine cannot use the app. Keep the URL to yourself. A browser
sign-in never replaces the command line's account with another one.

The app listens on loopback only, on a free port unless --addr says otherwise.
Signing in needs an OAuth app with the redirect URI
http://127.0.0.1/auth/oauth/callback/huggingface (set client_id in the config
file or HUGGINGFACE_CLIENT_ID); without one, the Connect button explains how to
register it, and public models work anonymously. Ctrl-C stops it.`,
		Example: `  hfgate ui
  hfgate ui --addr 127.0.0.1:8080 --no-open
  HUGGINGFACE_CLIENT_ID=... hfgate ui`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.ui(cmd.Context(), f) },
	}
	f.register(cmd, `print {"url":URL,"hub":URL} on one line once listening`)
	return cmd
}

func (a *app) ui(ctx context.Context, f webFlags) error {
	endpoint, err := hfgate.NormalizeEndpoint(a.endpoint())
	if err != nil {
		return err
	}
	budget, err := a.memoryBudget(f.memory)
	if err != nil {
		return err
	}
	ln, err := listenWeb(ctx, f.addr)
	if err != nil {
		return err
	}
	store := a.credStore()
	// Renewals are quiet: the "no keyring, stored in a file" notice was
	// shown at sign-in.
	quiet := a.credStore()
	quiet.Notice = nil
	hub := a.hubClient()
	hub.Token = a.webTokens(endpoint, quiet).Token
	cache, offline := a.cache()
	logger := slog.New(slog.NewTextHandler(a.io.Err, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := a.newWebApp(ctx, endpoint, hub, cache, offline, store, budget, logger)
	srv.CredentialSource = func(ctx context.Context) string {
		switch _, src, _ := quiet.Load(ctx, endpoint, hfgate.LocalSubject); src {
		case credstore.SourceEnv:
			return envTokenName(a.getenv)
		case credstore.SourceHFTokenFile:
			return "the token file of hf auth login"
		}
		return ""
	}
	if app := a.oauthApp(); app.ClientID != "" {
		cfg := oidcConfig(endpoint, app.ClientID, app.ClientSecret, app.Scopes)
		srv.OAuth = &cfg
	}
	return a.serveWeb(ctx, ln, srv, f, func(url string) error {
		if f.asJSON {
			return a.printJSONLine(map[string]string{"url": url, "hub": endpoint})
		}
		signIn := "Connect Hugging Face in the page to sign in."
		if srv.OAuth == nil {
			signIn = "No OAuth app is configured: the Connect button explains how to register one."
		}
		_, err := fmt.Fprintf(a.io.Out, "hfgate is running at %s (Ctrl-C stops it)\nHub: %s\nCache: %s\n%s\n",
			url, endpoint, cache.Dir, signIn)
		return err
	})
}
