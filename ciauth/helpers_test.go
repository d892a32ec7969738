package ciauth_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func split(raw string) (head, payload, sig string) {
	parts := strings.SplitN(raw, ".", 3)
	return parts[0], parts[1], parts[2]
}

// reencode returns payload (base64url JSON) with claim k set to v.
func reencode(t *testing.T, payload, k, v string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c[k] = v
	b, _ = json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// resign signs raw's header and payload again with a key the issuer never
// published, keeping the header (and so the kid of the issuer's real key).
func resign(t *testing.T, is *issuer, raw string) string {
	t.Helper()
	head, payload, _ := split(raw)
	is.mu.Lock()
	key := is.keys["unpublished"].(*rsa.PrivateKey)
	is.mu.Unlock()
	sum := sha256.Sum256([]byte(head + "." + payload))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + payload + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// hmacWithPublicKey is the key-confusion attack: HS256 keyed with the
// issuer's public RSA key, which a verifier that let the token pick the
// algorithm would check with that same public key.
func hmacWithPublicKey(t *testing.T, is *issuer, claims map[string]any) string {
	t.Helper()
	is.mu.Lock()
	pub := is.published[0].Key.(*rsa.PublicKey)
	is.mu.Unlock()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	tok := unsigned(map[string]any{"alg": "HS256", "kid": "rsa-1"}, claims, "")
	signing := strings.TrimSuffix(tok, ".")
	mac := hmac.New(sha256.New, der)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
