package hubsim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// signingKey signs ID tokens with RS256.
type signingKey struct {
	kid    string
	public jose.JSONWebKey
	signer jose.Signer
}

// newSigningKey generates the provider's RSA key. It runs once per Server,
// on the first request that needs it, so that servers which never sign
// anything start fast.
func newSigningKey() (*signingKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	pub := jose.JSONWebKey{Key: &priv.PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("key thumbprint: %w", err)
	}
	pub.KeyID = base64.RawURLEncoding.EncodeToString(thumb[:12])
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: pub.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("new signer: %w", err)
	}
	return &signingKey{kid: pub.KeyID, public: pub, signer: signer}, nil
}

// handleDiscovery serves the OpenID Provider Metadata. UNVERIFIED: the real
// document was not available; the endpoints are HF's documented paths, the
// lists are what HF's clients use (reference hf-oauth.md §1).
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	iss := s.issuer(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/oauth/authorize",
		"token_endpoint":                        iss + "/oauth/token",
		"userinfo_endpoint":                     iss + "/oauth/userinfo",
		"jwks_uri":                              iss + "/oauth/jwks",
		"device_authorization_endpoint":         iss + "/oauth/device",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", grantDeviceCode},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"scopes_supported":                      knownScopes,
		"claims_supported": []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
			"name", "preferred_username", "profile", "picture", "website", "email", "email_verified",
			"isPro", "canPay", "orgs"},
	})
}

func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	k, err := s.oauth.keys()
	if err != nil {
		s.opts.Logger.Error("hubsim: jwks", "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "no signing key"})
		return
	}
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public}})
}

// idToken signs an ID token for g: the standard claims, the user's claims
// as userinfo would give them for g's scopes, and the nonce if any.
func (s *Server) idToken(r *http.Request, g *grant, now time.Time) (string, error) {
	k, err := s.oauth.keys()
	if err != nil {
		return "", err
	}
	claims := s.userClaims(r, g)
	claims["iss"] = s.issuer(r)
	claims["aud"] = g.clientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(s.opts.IDTokenTTL).Unix()
	claims["auth_time"] = g.authTime.Unix()
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign ID token: %w", err)
	}
	return jws.CompactSerialize()
}
