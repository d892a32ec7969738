package main

import (
	"context"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
	"github.com/hfgate/hfgate/oidcauth"
)

// This file holds what login, whoami, token and every Hub command share:
// the OAuth app settings, and how to open the provider of a stored
// credential.

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
	if ep, _ := hfgate.NormalizeEndpoint(issuer); ep != credstore.HuggingFaceEndpoint {
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

// openProvider opens the provider that issued cred, for renewing it and for
// userinfo: at the issuer it came from, with the app it was issued to (a
// public client needs nothing else; the configured secret goes only with
// the configured client id).
func (a *app) openProvider(ctx context.Context, cred *hfgate.Credential) (*oidcauth.Client, error) {
	app := a.oauthApp()
	clientID, secret := cred.ClientID, ""
	if clientID == "" {
		clientID = app.ClientID
	}
	if clientID == app.ClientID {
		secret = app.ClientSecret
	}
	return oidcauth.Open(ctx, oidcConfig(firstNonEmpty(cred.Issuer, cred.Endpoint), clientID, secret, nil))
}
