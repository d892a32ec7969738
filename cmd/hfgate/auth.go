package main

import (
	"context"
	"strings"
	"sync"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
	"github.com/hfgate/hfgate/oidcauth"
)

// This file holds what login, whoami, token and every Hub command share:
// the OAuth app settings and the refresh of stored credentials.

// oauthApp is the OAuth app hfgate signs in with.
type oauthApp struct {
	ClientID     string
	ClientSecret string // "" for a public app
	Scopes       []string
}

// oauthApp returns the app from HUGGINGFACE_CLIENT_ID/_SECRET, else from the
// config file's [huggingface] table. The secret goes with the client id it
// was configured with: an env client id never borrows the config's secret.
func (a *app) oauthApp() oauthApp {
	app := oauthApp{
		ClientID:     a.cfg.HuggingFace.ClientID,
		ClientSecret: a.cfg.HuggingFace.ClientSecret,
		Scopes:       a.cfg.HuggingFace.Scopes,
	}
	if id := a.env("HUGGINGFACE_CLIENT_ID"); id != "" {
		app.ClientID, app.ClientSecret = id, a.env("HUGGINGFACE_CLIENT_SECRET")
	}
	return app
}

// oidcConfig returns the sign-in configuration for issuer: the Hugging Face
// preset, which works for any OpenID Connect issuer because discovery
// decides the endpoints; it also reads Hugging Face's extra userinfo claims
// when they are there. Only huggingface.co itself gets the preset's device
// endpoint fallback (its discovery document is UNVERIFIED); any other
// issuer offers device sign-in only if its discovery document says so.
func oidcConfig(issuer, clientID, secret string, scopes []string) oidcauth.Config {
	cfg := oidcauth.HuggingFace(issuer)
	if ep, _ := credstore.NormalizeEndpoint(issuer); ep != credstore.HuggingFaceEndpoint {
		cfg.Name = "" // messages name the issuer's URL, not Hugging Face
		cfg.DeviceAuthURL = ""
	}
	cfg.ClientID, cfg.ClientSecret = clientID, secret
	if len(scopes) > 0 {
		cfg.Scopes = scopes
	}
	return cfg
}

// parseScopes splits "openid profile" or "openid,profile".
func parseScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// errNoOAuthApp explains how to get a client id.
func (a *app) errNoOAuthApp() error {
	path, _ := a.configPath()
	return hfgate.Errorf(hfgate.EINVALID, "no OAuth app is configured, so hfgate cannot sign you in: "+
		"register one at https://huggingface.co/settings/applications/new with the redirect URI "+
		"http://127.0.0.1/callback (no secret needed), then set client_id under [huggingface] in "+
		"%s or export HUGGINGFACE_CLIENT_ID; or sign in with an access token: hfgate login --with-token < token.txt", path)
}

// credStoreAdapter lets oidcauth use a credstore.Store. It remembers where
// the last loaded credential came from, and whether one was found at all, so
// that callers can tell "not signed in" from "signed out by the provider".
// It is for one command's use: Load records into source unguarded.
type credStoreAdapter struct {
	storeCredentials
	source credstore.Source // of the last successful Load
}

var _ oidcauth.Store = (*credStoreAdapter)(nil)

func (s *credStoreAdapter) Load(ctx context.Context, endpoint string) (*hfgate.Credential, error) {
	cred, src, err := s.store.Load(ctx, endpoint)
	if err == nil {
		s.source = src
	}
	return cred, err
}

// refresher renews stored OAuth credentials with the app they were issued
// to (a public client needs nothing else), at the issuer they came from. It
// opens the provider only when a refresh is due, so fresh tokens cost no
// discovery request.
type refresher struct{ a *app }

func (r refresher) Refresh(ctx context.Context, cred *hfgate.Credential) (*hfgate.Credential, error) {
	app := r.a.oauthApp()
	clientID, secret := cred.ClientID, ""
	if clientID == "" {
		clientID = app.ClientID
	}
	if clientID == app.ClientID {
		secret = app.ClientSecret
	}
	issuer := cred.Issuer
	if issuer == "" {
		issuer = cred.Endpoint
	}
	c, err := oidcauth.Open(ctx, oidcConfig(issuer, clientID, secret, nil))
	if err != nil {
		return nil, err
	}
	next, err := c.Refresh(ctx, cred)
	if hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED {
		return nil, hfgate.WrapError(hfgate.EUNAUTHORIZED, err,
			"signed out of %s: the session expired or was revoked; run hfgate login", cred.Endpoint)
	}
	return next, err
}

// freshCredential returns the stored credential for the current endpoint,
// refreshed first when it expires soon (under the store's cross-process
// lock, so two hfgate processes never spend one refresh token), and where
// it came from. found is false when nothing was stored: err is then the
// store's "not signed in" error.
func (a *app) freshCredential(ctx context.Context) (cred *hfgate.Credential, src credstore.Source, found bool, err error) {
	store := a.credStore()
	// The "no keyring, stored in a file" notice was shown at login; repeating
	// it on every renewal would only clutter the output of scripts.
	store.Notice = nil
	st := &credStoreAdapter{storeCredentials: storeCredentials{store}}
	cred, err = oidcauth.Fresh(ctx, st, refresher{a}, a.endpoint())
	return cred, st.source, st.source != "", err
}

// credCache keeps the credential accessToken last found fresh, so that a
// command making many Hub requests reads the keyring once, not per request.
type credCache struct {
	mu   sync.Mutex
	cred *hfgate.Credential
}
