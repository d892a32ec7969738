// Package web is hfgate's local web app and the HTTP pieces that a later
// multi-user gateway shares with it: the sign-in routes, sessions, a JSON
// API over the Hub, a downloads manager, and the embedded UI (html/template,
// a little plain JavaScript and CSS, served from go:embed; no JS build step).
//
// # Sign-in
//
// The routes are those of the established JavaScript auth libraries:
//
//	GET  /auth/oauth/authorize/huggingface  302 to the provider (PKCE S256, state, nonce)
//	GET  /auth/oauth/callback/huggingface   server-side code exchange, then a session
//	POST /auth/logout                       ends the session and signs out
//	GET  /auth/session                      JSON: signed in?, username, name, avatar URL
//
// Tokens stay on the server, in the CredentialStore the command line uses,
// so signing in here signs in the CLI too. The browser holds only opaque,
// random cookies (HttpOnly, SameSite=Lax; Secure over https); the server
// keeps their SHA-256, never the value. A pending sign-in (the PKCE
// verifier, state and nonce) lives server-side under its own short-lived
// cookie and is used once.
//
// The Hub is called with the stored credentials only for requests that
// carry a signed-in session (see UserCredentials): another program or local
// user reaching the port gets anonymous access, not the account.
//
// # Security
//
// Every state-changing request passes net/http's CrossOriginProtection.
// Responses carry a strict Content-Security-Policy (scripts and styles from
// this origin only, no framing, forms to this origin and the provider),
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer. Requests
// whose Host is not the server's own are refused, which defeats DNS
// rebinding. return_to accepts relative paths on this site only.
package web
