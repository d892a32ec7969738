package oidcauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults for the zero values of Config and Loopback.
const (
	// DefaultEndpoint is the Hugging Face Hub, which is also its OpenID
	// Connect issuer.
	DefaultEndpoint = "https://huggingface.co"

	// DefaultRefreshLeeway is how long before expiry a TokenSource renews
	// an access token, so that a token handed out is still good for a while.
	DefaultRefreshLeeway = 5 * time.Minute

	// DefaultClockSkew is how far past its "exp" an ID token is still
	// accepted, to allow for a clock that runs a little ahead of the
	// provider's.
	DefaultClockSkew = time.Minute

	// DefaultAttemptTTL is how long an Attempt may wait for its callback.
	// RFC 6749 §4.1.2 recommends codes live at most 10 minutes, so an older
	// attempt could not succeed anyway.
	DefaultAttemptTTL = 10 * time.Minute

	// DefaultDeviceCodeTTL is used when the device authorization response
	// has no expires_in, as huggingface_hub does.
	DefaultDeviceCodeTTL = 900 * time.Second

	// DefaultLoopbackTimeout is how long Loopback.Wait waits for the browser.
	DefaultLoopbackTimeout = 5 * time.Minute
)

// HuggingFaceScopes returns the scopes hfgate asks Hugging Face for by
// default: sign-in, profile, the user's own repos and the gated repos they
// were granted. It returns a new slice on every call.
func HuggingFaceScopes() []string {
	return []string{"openid", "profile", "read-repos", "gated-repos"}
}

// Config configures a Client. Issuer and ClientID are required; every other
// zero value means the documented default. A Config is a plain value: Open
// copies it, so changing it afterwards has no effect on the Client.
type Config struct {
	// Issuer is the OpenID Connect issuer URL, exactly as the provider's
	// discovery document states it (go-oidc refuses a mismatch). It must be
	// https, or http on a loopback address (for hubsim and tests).
	Issuer string

	// Name names the provider in messages, e.g. "Hugging Face". Empty means
	// the issuer URL.
	Name string

	// ClientID is the OAuth app's client id.
	ClientID string

	// ClientSecret is the OAuth app's secret. Empty means a public client,
	// which authenticates with PKCE only. Either way PKCE S256 is used.
	// Never log it.
	ClientSecret string

	// Scopes are requested at sign-in. They must include "openid".
	Scopes []string

	// DeviceAuthURL is the device authorization endpoint (RFC 8628), used
	// only when discovery does not advertise device_authorization_endpoint.
	DeviceAuthURL string

	// HTTPClient makes every request to the provider. If nil, a client
	// with DefaultHTTPTimeout is used. Its redirect policy is replaced:
	// token and device requests never follow redirects, and the others
	// follow them only on the same origin.
	HTTPClient *http.Client

	// Now is the clock used for expiry decisions. If nil, time.Now is used.
	Now func() time.Time

	// ClockSkew is how long after "exp" an ID token is still accepted. Zero
	// means DefaultClockSkew.
	ClockSkew time.Duration

	// AttemptTTL is how long Exchange accepts a callback after Begin. Zero
	// means DefaultAttemptTTL.
	AttemptTTL time.Duration

	// ParseUser turns userinfo (or, without a userinfo endpoint, ID token)
	// claims into a User. If nil, StandardUser is used.
	ParseUser func(claims []byte) (hfgate.User, error)
}

// HuggingFace returns the preset for a Hugging Face Hub at endpoint (""
// means DefaultEndpoint): the endpoint is the issuer, the scopes are
// HuggingFaceScopes, the device endpoint falls back to /oauth/device as
// documented, and userinfo is read with HuggingFaceUser (isPro, orgs with
// roleInOrg). Set ClientID (and ClientSecret for a confidential app) before
// calling Open.
func HuggingFace(endpoint string) Config {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	endpoint = strings.TrimRight(endpoint, "/")
	return Config{
		Name:          "Hugging Face",
		Issuer:        endpoint,
		Scopes:        HuggingFaceScopes(),
		DeviceAuthURL: endpoint + "/oauth/device",
		ParseUser:     HuggingFaceUser,
	}
}

// Validate reports the first problem with c as an *hfgate.Error with code
// EINVALID. It makes no network calls and does not modify c.
func (c *Config) Validate() error {
	if c.Issuer == "" {
		return hfgate.Errorf(hfgate.EINVALID, "no OpenID Connect issuer configured: set the endpoint")
	}
	if err := checkEndpointURL(c.Issuer); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "issuer %q is not usable", c.Issuer)
	}
	if c.ClientID == "" {
		return hfgate.Errorf(hfgate.EINVALID,
			"no OAuth client id configured: register an app (for Hugging Face at "+
				"https://huggingface.co/settings/applications/new) and set client_id or HUGGINGFACE_CLIENT_ID")
	}
	if !slices.Contains(c.Scopes, "openid") {
		return hfgate.Errorf(hfgate.EINVALID, "scopes %q do not include \"openid\": it is needed to sign in", c.Scopes)
	}
	if c.DeviceAuthURL != "" {
		if err := checkEndpointURL(c.DeviceAuthURL); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "device authorization URL %q is not usable", c.DeviceAuthURL)
		}
	}
	if c.ClockSkew < 0 || c.AttemptTTL < 0 {
		return hfgate.Errorf(hfgate.EINVALID, "clock skew and attempt TTL must not be negative")
	}
	return nil
}

// checkEndpointURL accepts absolute https URLs, and http URLs on a loopback
// host: tokens must never cross the network in clear text.
func checkEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	switch {
	case u.Host == "" || u.Opaque != "":
		return errors.New("not an absolute URL")
	case u.User != nil || u.Fragment != "":
		return errors.New("must not contain user info or a fragment")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && hfgate.IsLoopbackHost(u.Hostname()):
		return nil
	default:
		return errors.New("must be https (http only on a loopback address)")
	}
}
