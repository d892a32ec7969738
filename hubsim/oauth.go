package hubsim

import (
	"crypto/rand"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Built-in OAuth apps. Both accept the redirect URIs
// http://127.0.0.1/callback and http://127.0.0.1/auth/oauth/callback/huggingface
// on any port (RFC 8252 §7.3, as huggingface.co does for loopback URIs).
const (
	// ClientPublic is a public (native) app: no secret, PKCE S256 required.
	ClientPublic = "hubsim-public"
	// ClientConfidential is an app with a secret, ClientSecret, sent with
	// HTTP Basic or in the form body.
	ClientConfidential = "hubsim-confidential"
	// ClientSecret is ClientConfidential's secret.
	ClientSecret = "hubsim-secret"
)

// knownScopes are the OAuth scopes hubsim knows: those huggingface.co
// documents (hub-docs oauth.md), plus read-mcp, which HuggingChat sends.
// A request for any other scope fails with invalid_scope.
var knownScopes = []string{
	"openid", "profile", "email", "read-billing", "read-memberships",
	"read-repos", "gated-repos", "contribute-repos", "write-repos", "manage-repos",
	"read-collections", "write-collections", "inference-api",
	"read-endpoints", "write-endpoints", "jobs", "webhooks", "write-discussions", "read-mcp",
}

// oauthClient is a registered OAuth app.
type oauthClient struct {
	id, secret   string // secret "" for a public client
	name         string
	redirectURIs []string
	scopes       []string // used when an authorize request names none (HF staff, chat-ui #2453)
}

func (c *oauthClient) public() bool { return c.secret == "" }

func builtinClients() map[string]*oauthClient {
	uris := []string{"http://127.0.0.1/callback", "http://127.0.0.1/auth/oauth/callback/huggingface"}
	return map[string]*oauthClient{
		ClientPublic: {id: ClientPublic, name: "hubsim public app", redirectURIs: uris,
			scopes: []string{"openid", "profile"}},
		ClientConfidential: {id: ClientConfidential, secret: ClientSecret, name: "hubsim confidential app",
			redirectURIs: uris, scopes: []string{"openid", "profile"}},
	}
}

// grant is what the user approved: who, for which app, which scopes and
// which orgs. Codes, refresh tokens and device codes each carry one.
type grant struct {
	user     *User
	clientID string
	scopes   []string
	orgs     []string // org names granted on the consent page
	nonce    string   // OIDC nonce of the authorization request
	authTime time.Time
}

func (g *grant) has(scope string) bool { return slices.Contains(g.scopes, scope) }

// authCode is an authorization code: single use, short-lived, bound to the
// client, the redirect URI and the PKCE challenge.
type authCode struct {
	grant
	redirectURI string
	challenge   string // S256 code_challenge; "" if none was sent (confidential clients only)
	expires     time.Time
	used        bool
	issued      []string // access and refresh tokens issued from it, revoked if it is replayed
}

// refreshToken is a live refresh token. Using it rotates it.
type refreshToken struct {
	grant
	expires time.Time
}

// oauthState is the OAuth/OIDC provider's state: signing key, clients,
// pending consents, codes, refresh tokens and device codes.
type oauthState struct {
	clients map[string]*oauthClient
	keys    func() (*signingKey, error) // generated on first use

	mu          sync.Mutex
	autoApprove string
	approvals   []Approval // one-shot approvals, oldest first
	consents    map[string]*consent
	codes       map[string]*authCode
	refresh     map[string]*refreshToken
	devices     map[string]*deviceCode // by device_code
	userCodes   map[string]string      // user_code -> device_code
}

func newOAuthState(autoApprove string) *oauthState {
	return &oauthState{
		clients:     builtinClients(),
		keys:        sync.OnceValues(newSigningKey),
		autoApprove: autoApprove,
		consents:    map[string]*consent{},
		codes:       map[string]*authCode{},
		refresh:     map[string]*refreshToken{},
		devices:     map[string]*deviceCode{},
		userCodes:   map[string]string{},
	}
}

// pruneLocked forgets expired codes and device codes, so that a long-running
// hubsim does not grow. The caller holds mu.
func (o *oauthState) pruneLocked(now time.Time) {
	for v, c := range o.codes {
		if !now.Before(c.expires) {
			delete(o.codes, v)
		}
	}
	for v, dc := range o.devices {
		if !now.Before(dc.expires) {
			delete(o.devices, v)
			delete(o.userCodes, dc.userCode)
		}
	}
}

func (s *Server) registerOAuth(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.handleDiscovery)
	mux.HandleFunc("GET /oauth/jwks", s.handleJWKS)
	mux.HandleFunc("GET /oauth/authorize", s.handleAuthorize)
	mux.Handle("POST /oauth/authorize", csrf.Handler(http.HandlerFunc(s.handleConsent)))
	mux.HandleFunc("POST /oauth/token", s.handleToken)
	mux.HandleFunc("POST /oauth/device", s.handleDeviceAuthorization)
	mux.HandleFunc("GET /oauth/device", s.handleDevicePage)
	mux.Handle("POST /oauth/device/consent", csrf.Handler(http.HandlerFunc(s.handleDeviceConsent)))
	mux.HandleFunc("GET /oauth/userinfo", s.handleUserinfo)
	mux.HandleFunc("POST /oauth/userinfo", s.handleUserinfo)
	mux.HandleFunc("GET /api/whoami-v2", s.handleWhoami)
	mux.HandleFunc("POST /api/credentials/revoke", s.handleRevokeCredentials)
}

// SetAutoApprove makes every authorization request and device code approved
// at once as user, with the scopes asked for and all of the user's orgs
// granted, except from a browser signed in to hubsim (SignIn), which acts
// for its own user. "" turns auto-approval off (the consent page is shown
// again). It fails for an unknown user.
func (s *Server) SetAutoApprove(user string) error {
	if user != "" && s.ids.user(user) == nil {
		return errUnknownUser(user)
	}
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	s.oauth.autoApprove = user
	return nil
}

func (s *Server) autoApproveUser() *User {
	s.oauth.mu.Lock()
	name := s.oauth.autoApprove
	s.oauth.mu.Unlock()
	if name == "" {
		return nil
	}
	return s.ids.active(name)
}

// issuer is the OIDC issuer: the Hub's base URL, or the URL the request
// came in on when the handler is mounted without Start.
func (s *Server) issuer(r *http.Request) string {
	if s.hubURL != "" {
		return s.hubURL
	}
	return baseURL(r)
}

// randomSecret returns a random, URL-safe opaque value with a prefix.
func randomSecret(prefix string) string { return prefix + rand.Text() + rand.Text() }
