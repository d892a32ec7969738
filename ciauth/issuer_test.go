package ciauth_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// issuer is an OIDC issuer of the test's own on a loopback port, whose
// keys the test controls: it signs tokens with any key and algorithm,
// rotates keys, and counts the fetches of its key set.
type issuer struct {
	t    *testing.T
	srv  *httptest.Server
	URL  string
	jwks atomic.Int64 // GETs of the key set

	mu        sync.Mutex
	published []jose.JSONWebKey // what the key set serves
	keys      map[string]any    // private keys by kid
	discovery map[string]any    // overrides the discovery document when set
	broken    bool              // the key set answers 500
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{t: t, keys: map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.mu.Lock()
		doc := is.discovery
		is.mu.Unlock()
		if doc == nil {
			doc = map[string]any{"issuer": is.URL, "jwks_uri": is.URL + "/keys"}
		}
		json.NewEncoder(w).Encode(doc)
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		is.jwks.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		if is.broken {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: is.published})
	})
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"keys":[`))
		w.Write(bytes.Repeat([]byte(`{"kty":"oct","k":"AAAA"},`), 100_000)) // 2.5 MB
		w.Write([]byte(`{}]}`))
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	is.URL = is.srv.URL
	is.addKey("rsa-1", jose.RS256)
	return is
}

// addKey makes a key of alg's kind and publishes it under kid.
func (is *issuer) addKey(kid string, alg jose.SignatureAlgorithm) {
	is.t.Helper()
	var priv, pub any
	switch alg {
	case jose.ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			is.t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	default:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			is.t.Fatal(err)
		}
		priv, pub = k, &k.PublicKey
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys[kid] = priv
	is.published = append(is.published, jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: string(alg), Use: "sig"})
}

// claims returns a valid set of GitHub-like claims for aud at now.
func (is *issuer) claims(aud string, now time.Time) map[string]any {
	return map[string]any{
		"iss": is.URL, "aud": aud, "sub": "repo:acme/app:ref:refs/heads/main", "jti": rand.Text(),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"repository": "acme/app", "repository_id": "42", "repository_owner_id": "7", "ref": "refs/heads/main",
	}
}

// sign signs claims with the key of kid (which need not be published),
// naming kid and alg in the header.
func (is *issuer) sign(kid string, alg jose.SignatureAlgorithm, claims map[string]any) string {
	is.t.Helper()
	is.mu.Lock()
	key := is.keys[kid]
	is.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid).WithType("JWT"))
	if err != nil {
		is.t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		is.t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		is.t.Fatal(err)
	}
	return raw
}

// unsigned returns a token with header and claims as given and signature
// sig, for tokens no honest signer makes ("alg": "none").
func unsigned(header, claims map[string]any, sig string) string {
	h, _ := json.Marshal(header)
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "." + sig
}
