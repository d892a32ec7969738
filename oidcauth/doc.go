// Package oidcauth signs users in with Hugging Face, or with any other OpenID
// Connect provider, on golang.org/x/oauth2 and github.com/coreos/go-oidc/v3,
// and keeps their tokens fresh.
//
// There is one protocol here, OpenID Connect with discovery; Hugging Face is a
// preset (HuggingFace), not a special case. Open discovers the provider, then
// a Client offers:
//
//   - the authorization code flow with PKCE (S256, always), state and nonce:
//     Begin builds the URL to send the browser to and an Attempt to keep
//     server-side; Exchange checks the callback and verifies the ID token
//     (signature against the provider's JWKS, issuer, audience, expiry,
//     algorithm allow-list, nonce) before it fetches userinfo; the Result
//     gives the Credential to store and the hfgate.Principal who signed in;
//   - the device authorization grant (RFC 8628): DeviceStart and DeviceWait;
//   - refresh with rotation: Refresh.
//
// A TokenSource hands out fresh tokens from an hfgate.CredentialStore for
// whoever is calling (hfgate.PrincipalFrom): it renews a token ahead of
// expiry under the store's lock, so that two processes (or gateway
// replicas) never spend one refresh token twice, and its Token method is
// what hfhub.Client.Token wants. Its Account tells whose a credential is,
// from the Hub's whoami-v2 or, for a provider that is no Hub, userinfo.
//
// For command-line sign-in, ListenLoopback serves the redirect URI on
// 127.0.0.1 (RFC 8252 §7.3) and hands back exactly one valid callback.
//
// Errors meant for users are *hfgate.Error with a message that names no
// command and an Action (hfgate.ActionSignIn, hfgate.ActionRetry) for the
// front end to word. No error produced by this package contains an access
// token, refresh token, authorization code, device code or PKCE verifier:
// provider error bodies are reduced to their RFC 6749 error code and
// description, and known secrets are redacted from the description.
package oidcauth
