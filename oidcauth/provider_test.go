package oidcauth

import (
	"cmp"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// fakeProvider is a small but strict OpenID Connect provider on a real
// HTTP server: discovery, JWKS, authorize (auto-approving), token
// (authorization_code with PKCE S256 checked, refresh_token with rotation,
// device_code with a scripted sequence of answers), device authorization
// and userinfo. Tests change its knobs before use; mint signs ID tokens and
// may be replaced to forge them.
type fakeProvider struct {
	srv          *httptest.Server
	key          *rsa.PrivateKey
	clientID     string
	clientSecret string // "" for a public client
	clock        *clock

	// Knobs; set them before the flow under test starts.
	discovery     map[string]any              // merged into the discovery document; nil values delete
	editClaims    func(claims map[string]any) // changes ID token claims before signing
	mint          func(claims map[string]any) string
	deny          bool     // authorize answers error=access_denied
	noRotate      bool     // refresh responses carry no new refresh_token
	refreshStatus int      // if set, refresh answers this status with a server_error
	deviceScript  []string // errors for successive device polls; then success
	deviceIDToken bool     // device token responses include an ID token
	deviceTTL     int      // expires_in of device codes; 0 means 60
	userinfoSub   string   // overrides sub in userinfo
	deviceURI     string   // overrides verification_uri of device codes

	mu       sync.Mutex
	codes    map[string]*grant // authorization codes, single use
	refresh  map[string]*grant // live refresh tokens
	access   map[string]*grant
	secrets  []string       // every code, token and verifier seen
	hits     map[string]int // token endpoint hits by grant_type
	verifier string         // last code_verifier received
}

// grant is what a code or token stands for.
type grant struct {
	challenge, redirectURI, nonce, scope string
}

// clock is a settable clock shared by the provider and the client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// newProvider starts a provider for a public client "app".
func newProvider(tb testing.TB) *fakeProvider {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	p := &fakeProvider{
		key: key, clientID: "app",
		clock:   &clock{t: time.Now().Truncate(time.Second)},
		codes:   map[string]*grant{},
		refresh: map[string]*grant{},
		access:  map[string]*grant{},
		hits:    map[string]int{},
	}
	p.mint = p.signRS256
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.serveDiscovery)
	mux.HandleFunc("GET /oauth/jwks", p.serveJWKS)
	mux.HandleFunc("GET /oauth/authorize", p.serveAuthorize)
	mux.HandleFunc("POST /oauth/token", p.serveToken)
	mux.HandleFunc("POST /oauth/device", p.serveDevice)
	mux.HandleFunc("GET /oauth/userinfo", p.serveUserinfo)
	p.srv = httptest.NewServer(mux)
	tb.Cleanup(p.srv.Close)
	return p
}

// config returns a Hugging Face preset pointed at the provider.
func (p *fakeProvider) config() Config {
	cfg := HuggingFace(p.srv.URL)
	cfg.ClientID, cfg.ClientSecret = p.clientID, p.clientSecret
	cfg.HTTPClient = p.srv.Client()
	cfg.Now = p.clock.Now
	return cfg
}

func (p *fakeProvider) newSecret(prefix string) string {
	s := prefix + rand.Text()
	p.secrets = append(p.secrets, s)
	return s
}

// Secrets returns every code, token and verifier the provider saw.
func (p *fakeProvider) Secrets() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.secrets...)
}

// Hits returns how often the token endpoint was called with grantType, or
// discovery with "discovery".
func (p *fakeProvider) Hits(grantType string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[grantType]
}

func (p *fakeProvider) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits["discovery"]++
	p.mu.Unlock()
	u := p.srv.URL
	doc := map[string]any{
		"issuer":                                u,
		"authorization_endpoint":                u + "/oauth/authorize",
		"token_endpoint":                        u + "/oauth/token",
		"userinfo_endpoint":                     u + "/oauth/userinfo",
		"jwks_uri":                              u + "/oauth/jwks",
		"device_authorization_endpoint":         u + "/oauth/device",
		"response_types_supported":              []string{"code"},
		"code_challenge_methods_supported":      []string{"S256"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "none"},
	}
	maps.Copy(doc, p.discovery)
	maps.DeleteFunc(doc, func(_ string, v any) bool { return v == nil })
	writeJSON(w, http.StatusOK, doc)
}

func (p *fakeProvider) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"},
	}})
}

// serveAuthorize approves at once and redirects back with a code, after
// checking what a real provider checks.
func (p *fakeProvider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("client_id") != p.clientID, q.Get("response_type") != "code", q.Get("redirect_uri") == "":
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		http.Error(w, "PKCE S256 required", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"state": {q.Get("state")}}
	if p.deny {
		v.Set("error", "access_denied")
		v.Set("error_description", "The user denied access")
	} else {
		p.mu.Lock()
		code := p.newSecret("code_")
		p.codes[code] = &grant{challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri"),
			nonce: q.Get("nonce"), scope: q.Get("scope")}
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *fakeProvider) serveDevice(w http.ResponseWriter, r *http.Request) {
	if r.PostFormValue("client_id") != p.clientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	p.mu.Lock()
	dc := p.newSecret("device_")
	p.codes[dc] = &grant{scope: r.PostFormValue("scope")}
	ttl := cmp.Or(p.deviceTTL, 60)
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code": dc, "user_code": "ABCD-EFGH", "verification_uri": cmp.Or(p.deviceURI, p.srv.URL+"/device"),
		"interval": 1, "expires_in": ttl,
	})
}

func (p *fakeProvider) serveUserinfo(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	g := p.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	p.mu.Unlock()
	if g == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	claims := aliceClaims()
	if p.userinfoSub != "" {
		claims["sub"] = p.userinfoSub
	}
	writeJSON(w, http.StatusOK, claims)
}

// aliceClaims is Hugging Face userinfo for the test user.
func aliceClaims() map[string]any {
	return map[string]any{
		"sub": "62f264b9f3c90f4b6514a269", "name": "Alice Martin", "preferred_username": "alice",
		"picture": "https://example.test/avatars/alice.svg", "email": "alice@example.com",
		"email_verified": true, "isPro": true,
		"orgs": []map[string]any{{
			"sub": "6400000000000000000000aa", "name": "Acme Corp", "preferred_username": "acme",
			"picture": "https://example.test/avatars/acme.svg", "roleInOrg": "write",
		}},
	}
}

// signRS256 signs claims with the provider's key, as a real provider does.
func (p *fakeProvider) signRS256(claims map[string]any) string {
	return signJWT(jose.RS256, p.key, "k1", claims)
}

func signJWT(alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return s
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": "fake provider says " + code})
}
