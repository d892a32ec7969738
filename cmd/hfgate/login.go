package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
	"github.com/hfgate/hfgate/oidcauth"
)

// loginOptions are the flags of "hfgate login".
type loginOptions struct {
	scopes    string
	device    bool
	noBrowser bool
	withToken bool
}

func (a *app) loginCmd() *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with Hugging Face and keep the tokens in the OS keyring",
		Long: `Sign in with Hugging Face (OAuth 2.0 + OpenID Connect, always with PKCE).

By default hfgate opens the sign-in page in your browser and waits for it to come
back to http://127.0.0.1:PORT/callback. The page's URL is always printed too, so you
can open it yourself when no browser can be started. --device signs in with a code
instead, for machines without a browser. --with-token reads an existing access token
(hf_...) from standard input, checks it and stores it.

Signing in needs an OAuth app: register one at
https://huggingface.co/settings/applications/new with the redirect URI
http://127.0.0.1/callback, then set client_id under [huggingface] in the config file
or export HUGGINGFACE_CLIENT_ID (and HUGGINGFACE_CLIENT_SECRET for an app with a
secret). --with-token needs no app. --endpoint may also name any other OpenID Connect
issuer; its discovery document decides the endpoints.

Credentials are stored per endpoint in the OS keyring, or, when there is none, in
a file readable only by you ($XDG_CONFIG_HOME/hfgate/credentials.json). HF_TOKEN,
when set, still takes precedence.`,
		Example: `  hfgate login
  hfgate login --no-browser
  hfgate login --device
  hfgate login --scopes "openid profile email read-repos"
  hfgate login --with-token < token.txt
  HUGGINGFACE_CLIENT_ID=hubsim-public hfgate login --endpoint http://127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.login(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.scopes, "scopes", "", `scopes to ask for, space separated (default from the config file, else "openid profile read-repos gated-repos")`)
	f.BoolVar(&o.device, "device", false, "sign in with a code on another device instead of a local browser")
	f.BoolVar(&o.noBrowser, "no-browser", false, "do not open a browser; only print the sign-in URL")
	f.BoolVar(&o.withToken, "with-token", false, "read an access token from standard input instead of signing in")
	cmd.MarkFlagsMutuallyExclusive("device", "with-token")
	return cmd
}

func (a *app) login(ctx context.Context, o loginOptions) error {
	endpoint, err := hfgate.NormalizeEndpoint(a.endpoint())
	if err != nil {
		return err
	}
	var cred *hfgate.Credential
	if o.withToken {
		cred, err = a.readTokenLogin(ctx, endpoint)
	} else {
		cred, err = a.oauthLogin(ctx, endpoint, o)
	}
	if err != nil {
		return err
	}
	src, err := a.credStore().Save(ctx, cred)
	if err != nil {
		return fmt.Errorf("save credentials: %w", err)
	}
	where := "keyring"
	if src == credstore.SourceFile {
		where = "file " + filepath.Join(a.configDir(), credstore.FallbackFileName)
	}
	_, err = fmt.Fprintf(a.io.Out, "Signed in as %s to %s (stored in %s)\n", printable(cred.Username), endpoint, where)
	return err
}

// oauthLogin signs in with the browser (loopback redirect) or a device code
// and returns the credential to store.
func (a *app) oauthLogin(ctx context.Context, endpoint string, o loginOptions) (*hfgate.Credential, error) {
	app := a.oauthApp()
	if app.ClientID == "" {
		// An hfgate gateway needs no app: it has a public client built in,
		// and signs tools in with a device code.
		if !isGateway(ctx, a.endpoint()) {
			return nil, a.errNoOAuthApp()
		}
		app.ClientID = gatewayClientID
		if !o.device {
			fmt.Fprintf(a.io.Err, "%s is an hfgate gateway: signing in with a device code\n", a.endpoint())
			o.device = true
		}
	}
	scopes := app.Scopes
	if o.scopes != "" {
		scopes = parseScopes(o.scopes)
	}
	client, err := oidcauth.Open(ctx, oidcConfig(a.endpoint(), app.ClientID, app.ClientSecret, scopes))
	if err != nil {
		return nil, err
	}
	var res *oidcauth.Result
	if o.device {
		res, err = a.deviceLogin(ctx, client, o.noBrowser)
	} else {
		res, err = a.loopbackLogin(ctx, client, o.noBrowser)
	}
	if err != nil {
		return nil, err
	}
	cred := res.Credential(endpoint, hfgate.LocalSubject)
	if cred.Username == "" {
		// A generic issuer may not send preferred_username.
		cred.Username = firstNonEmpty(res.User.Email, res.User.ID)
	}
	return cred, nil
}

// loopbackLogin runs the authorization code flow with a redirect to
// 127.0.0.1 (RFC 8252).
func (a *app) loopbackLogin(ctx context.Context, client *oidcauth.Client, noBrowser bool) (*oidcauth.Result, error) {
	lb, err := oidcauth.ListenLoopback(ctx, "/callback")
	if err != nil {
		return nil, err
	}
	defer lb.Close()
	authURL, attempt, err := client.Begin(lb.RedirectURL())
	if err != nil {
		return nil, err
	}
	// The URL carries state, nonce and the PKCE challenge, none of them
	// secret; the code comes back to the listener and is never printed.
	fmt.Fprintf(a.io.Err, "To sign in, open this page in a browser:\n\n  %s\n\n", printable(authURL))
	if !noBrowser {
		if err := openBrowser(authURL); err != nil {
			a.warn("could not open a browser (%v); open the page above yourself", err)
		}
	}
	fmt.Fprintf(a.io.Err, "Waiting for the sign-in to come back to %s ...\n", lb.RedirectURL())
	callback, err := lb.Wait(ctx, attempt)
	if err != nil {
		return nil, err
	}
	return client.Exchange(ctx, attempt, callback)
}

// deviceLogin runs the device authorization grant (RFC 8628).
func (a *app) deviceLogin(ctx context.Context, client *oidcauth.Client, noBrowser bool) (*oidcauth.Result, error) {
	dc, err := client.DeviceStart(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.io.Err, "To sign in, open %s and enter the code:\n\n  %s\n\n", printable(dc.VerificationURI), printable(dc.UserCode))
	if dc.VerificationURIComplete != "" {
		fmt.Fprintf(a.io.Err, "Or open %s\n", printable(dc.VerificationURIComplete))
	}
	if !noBrowser {
		page := firstNonEmpty(dc.VerificationURIComplete, dc.VerificationURI)
		if err := openBrowser(page); err != nil {
			a.warn("could not open a browser (%v); open the page above yourself", err)
		}
	}
	fmt.Fprintf(a.io.Err, "Waiting for the sign-in to be approved (the code expires at %s) ...\n",
		dc.Expiry.Local().Format("15:04:05"))
	return client.DeviceWait(ctx, dc)
}
