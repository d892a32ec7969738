package oidcauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/hfgate/hfgate"
)

// allowedAlgs are the ID token signature algorithms hfgate accepts: all
// asymmetric. "none" and the HMAC family (HS256 …) are never accepted: an
// HMAC "signature" keyed with the provider's public key would otherwise
// verify (the classic algorithm-confusion attack).
var allowedAlgs = []string{
	oidc.RS256, oidc.RS384, oidc.RS512,
	oidc.ES256, oidc.ES384, oidc.ES512,
	oidc.PS256, oidc.PS384, oidc.PS512,
	oidc.EdDSA,
}

// Client signs users in with one OpenID Connect provider. Create it with
// Open. A Client is safe for concurrent use; it holds no per-user state.
type Client struct {
	cfg       Config // defaults applied
	provider  *oidc.Provider
	endpoint  oauth2.Endpoint
	userinfo  string // userinfo endpoint; "" if the provider has none
	verifier  *oidc.IDTokenVerifier
	oidcHTTP  *http.Client // discovery, JWKS, userinfo: errors keep only the status
	tokenHTTP *http.Client // token and device endpoints: x/oauth2 parses error bodies
}

// discovery holds the metadata fields go-oidc does not interpret for us.
type discovery struct {
	JWKSURI              string   `json:"jwks_uri"`
	CodeChallengeMethods []string `json:"code_challenge_methods_supported"`
	TokenAuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
	SigningAlgs          []string `json:"id_token_signing_alg_values_supported"`
}

// Open validates cfg, fetches the provider's discovery document (go-oidc
// checks that it names cfg.Issuer as issuer) and returns a Client.
//
// Errors are *hfgate.Error: EINVALID for a bad config, an issuer mismatch, a
// missing or malformed discovery document, or a provider that declares it
// does not support PKCE with S256 (code_challenge_methods_supported present
// without "S256": hfgate always sends S256 and will not fall back to
// "plain"; if the field is absent, S256 is sent and the provider's silence
// is taken as support, as RFC 8414 leaves it optional); EUNAVAILABLE when
// the issuer cannot be reached or answers with a server error.
func Open(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Scopes = slices.Clone(cfg.Scopes)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.ClockSkew, DefaultClockSkew)
	def(&cfg.AttemptTTL, DefaultAttemptTTL)
	if cfg.ParseUser == nil {
		cfg.ParseUser = StandardUser
	}

	c := &Client{
		cfg:       cfg,
		tokenHTTP: withRedirects(cfg.HTTPClient, refuseRedirect),
		oidcHTTP:  withRedirects(statusClient(cfg.HTTPClient), sameOriginRedirect),
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.oidcHTTP), cfg.Issuer)
	if err != nil {
		return nil, discoveryError(cfg.Issuer, err)
	}
	var md discovery
	if err := p.Claims(&md); err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "the discovery document of %s is not valid JSON", cfg.Issuer)
	}
	c.provider = p
	c.endpoint = p.Endpoint()
	if c.endpoint.DeviceAuthURL == "" {
		c.endpoint.DeviceAuthURL = cfg.DeviceAuthURL
	}
	c.endpoint.AuthStyle = authStyle(cfg.ClientSecret, md.TokenAuthMethods)
	c.userinfo = p.UserInfoEndpoint()
	if err := c.checkDiscovery(md); err != nil {
		return nil, err
	}
	algs, err := signingAlgs(md.SigningAlgs)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot verify ID tokens from %s", cfg.Issuer)
	}
	// VerifierContext builds the JWKS key set with our HTTP client; the
	// context's cancellation is ignored by go-oidc, only its client is used.
	c.verifier = p.VerifierContext(oidc.ClientContext(context.Background(), c.oidcHTTP), &oidc.Config{
		ClientID:             cfg.ClientID,
		SupportedSigningAlgs: algs,
		// go-oidc rejects exp < now with no allowance; shifting its clock
		// back by ClockSkew accepts a token that expired moments ago.
		Now: func() time.Time { return c.cfg.Now().Add(-c.cfg.ClockSkew) },
	})
	return c, nil
}

// checkDiscovery refuses a provider hfgate cannot use safely.
func (c *Client) checkDiscovery(md discovery) error {
	issuer := c.cfg.Issuer
	// UNVERIFIED whether huggingface.co lists code_challenge_methods_supported;
	// every official HF client sends S256, so an absent list is accepted.
	if len(md.CodeChallengeMethods) > 0 && !slices.Contains(md.CodeChallengeMethods, "S256") {
		return hfgate.Errorf(hfgate.EINVALID,
			"%s does not support PKCE with S256 (it offers %q); hfgate requires it and will not use a weaker method",
			issuer, md.CodeChallengeMethods)
	}
	for _, u := range []struct{ name, url string }{
		{"authorization_endpoint", c.endpoint.AuthURL},
		{"token_endpoint", c.endpoint.TokenURL},
		{"jwks_uri", md.JWKSURI},
	} {
		if u.url == "" {
			return hfgate.Errorf(hfgate.EINVALID, "the discovery document of %s has no %s", issuer, u.name)
		}
	}
	for _, u := range []string{c.endpoint.AuthURL, c.endpoint.TokenURL, c.endpoint.DeviceAuthURL, c.userinfo, md.JWKSURI} {
		if u == "" {
			continue
		}
		if err := checkEndpointURL(u); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "the discovery document of %s lists endpoint %q", issuer, u)
		}
	}
	return nil
}

// Issuer returns the issuer URL the Client was opened with.
func (c *Client) Issuer() string { return c.cfg.Issuer }

// ClientID returns the OAuth client id.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// name names the provider in messages.
func (c *Client) name() string {
	if c.cfg.Name != "" {
		return c.cfg.Name
	}
	return c.cfg.Issuer
}

// Scopes returns a copy of the scopes requested at sign-in.
func (c *Client) Scopes() []string { return slices.Clone(c.cfg.Scopes) }

// oauth2Config returns the x/oauth2 view of the client for one request.
func (c *Client) oauth2Config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.cfg.ClientID,
		ClientSecret: c.cfg.ClientSecret,
		Endpoint:     c.endpoint,
		RedirectURL:  redirectURL,
		Scopes:       c.cfg.Scopes,
	}
}

// tokenContext makes x/oauth2 use the configured HTTP client.
func (c *Client) tokenContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.tokenHTTP)
}

// authStyle picks how the client authenticates at the token endpoint, once,
// instead of x/oauth2's auto-detection, which on failure repeats the request
// another way: harmless for most grants, but a one-time code or a rotating
// refresh token must be sent once. Public clients send client_id in the
// form; confidential ones use HTTP Basic (RFC 6749 §2.3.1, the default when
// the provider lists nothing, and what Hugging Face documents) unless the
// provider offers only client_secret_post.
func authStyle(secret string, methods []string) oauth2.AuthStyle {
	if secret == "" {
		return oauth2.AuthStyleInParams
	}
	if len(methods) > 0 && !slices.Contains(methods, "client_secret_basic") &&
		slices.Contains(methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

// signingAlgs intersects the provider's advertised algorithms with
// allowedAlgs. A provider that advertises none gets all of allowedAlgs: each
// still needs the provider's private key.
func signingAlgs(advertised []string) ([]string, error) {
	if len(advertised) == 0 {
		return slices.Clone(allowedAlgs), nil
	}
	var algs []string
	for _, a := range advertised {
		if slices.Contains(allowedAlgs, a) {
			algs = append(algs, a)
		}
	}
	if len(algs) == 0 {
		return nil, fmt.Errorf("it signs ID tokens only with %q; hfgate accepts %q", advertised, allowedAlgs)
	}
	return algs, nil
}

// discoveryError explains why discovery failed.
func discoveryError(issuer string, err error) error {
	var mismatch *oidc.IssuerMismatchError
	var se *statusError
	var ue *url.Error
	switch {
	case errors.Is(err, context.Canceled):
		return hfgate.WrapError(hfgate.ECANCELED, err, "sign-in canceled")
	case errors.As(err, &mismatch):
		return hfgate.WrapError(hfgate.EINVALID, err,
			"%s says its issuer is %q: set the endpoint to exactly the issuer", issuer, mismatch.Discovered)
	case errors.As(err, &se) && (se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the sign-in provider at %s is unavailable: try again later", issuer).WithAction(hfgate.ActionRetry)
	case errors.As(err, &se):
		return hfgate.WrapError(hfgate.EINVALID, err,
			"%s serves no OpenID Connect discovery document: check the endpoint", issuer)
	case errors.As(err, &ue):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"cannot reach the sign-in provider at %s: check your network and the endpoint", issuer)
	default:
		return hfgate.WrapError(hfgate.EINVALID, err, "the discovery document of %s is not valid", issuer)
	}
}
