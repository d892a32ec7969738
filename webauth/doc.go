// Package webauth is the browser side of signing in, shared by hfgate's
// local web app and its gateway: the sign-in routes, server-side sessions
// and the cookie that names them, and the protections every page of either
// needs (cross-origin checks, security headers, the Host check against DNS
// rebinding, return_to validation) and their error rendering.
//
// # Routes
//
// Auth serves the paths of the established JavaScript auth libraries, for
// each configured Provider:
//
//	GET  /auth/oauth/authorize/{provider}  302 to the provider (PKCE S256, state, nonce)
//	POST /auth/oauth/authorize/{provider}  the same from a form (return_to a field)
//	GET  /auth/oauth/callback/{provider}   server-side code exchange, then a session
//	POST /auth/logout                      ends the session
//	GET  /auth/session                     JSON: signed in?, username, name, avatar URL
//
// # Sessions
//
// A signed-in browser holds only an opaque, random cookie (HttpOnly,
// SameSite=Lax; behind https also Secure, with the __Host- prefix; named
// with Auth.CookieSuffix, so that servers on other ports of one host keep
// their own). The
// session lives in an hfgate.SessionStore under the SHA-256 of the cookie
// (hfgate.SessionID), with its owner, an absolute expiry and optionally an
// idle timeout, so that a user can list and end their sessions and a
// revocation reaches every replica sharing the store. Auth.Middleware puts
// the session's hfgate.Principal (or hfgate.Anonymous) in every request's
// context. What a sign-in brings besides (the tokens) is the app's to keep:
// Auth.SignedIn.
//
// A pending sign-in (the PKCE verifier, state and nonce) lives under its
// own short-lived cookie: in this process's memory, named by the cookie, or,
// with Auth.Sealer, sealed in the cookie itself, so that any replica sharing
// the keys completes the sign-in another began.
//
// # Errors
//
// Errors writes failed requests: JSON ({"error": {"code", "message",
// "action"}}) for API calls, the app's HTML page otherwise, with the
// advice the app words for each hfgate Action. Only internal errors are
// logged, and their text is not shown.
package webauth
