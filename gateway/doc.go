// Package gateway is hfgate serve: one HTTP server for a whole team, in
// front of the Hugging Face Hub: who is calling, how people and their tools
// sign in, and the Hub's API for HF clients, decided by the team's policy
// and recorded in the audit log.
//
// # Who is calling
//
// Every request gets an hfgate.Principal in its context: the owner of the
// gateway token in "Authorization: Bearer hf_…", else of the browser's
// session cookie, else hfgate.Anonymous. Tokens and sessions are checked by
// an identity.Checker, cached in process and dropped at once when any
// replica revokes them. A request that presents a token the gateway does
// not accept is answered 401 rather than served anonymously, as the Hub
// does.
//
// # Sign-in
//
// Browsers sign in with any configured provider at
// /auth/oauth/authorize/{provider} and /auth/oauth/callback/{provider}
// (webauth's routes); a sign-in records the person's account (provider +
// sub, HF username, orgs and roles, avatar) and, with the huggingface
// provider in upstream mode "user", keeps their HF token sealed for the
// gateway to call the Hub with. /account lists and ends one's own sessions
// and personal tokens.
//
// # The gateway as an OAuth server
//
// HF clients sign in to the gateway as they do to the Hub: discovery at
// /.well-known/openid-configuration, the device grant (RFC 8628) at
// POST /oauth/device with its browser page at GET /oauth/device, and
// POST /oauth/token for device codes and rotating refresh tokens (a spent
// refresh token presented again revokes its whole sign-in). The public
// clients "hfgate" and huggingface_hub's "26be6b09-91c5-47da-9861-d2d2bb7a7e36"
// are built in. GET /api/whoami-v2 and GET /oauth/userinfo answer in the
// Hub's shapes. More grant types plug in through Config.Grants. The
// gateway issues opaque tokens and no ID tokens: its JWKS is empty, and
// clients learn who signed in from userinfo.
//
// # CI without stored secrets
//
// With Config.CI, POST /oauth/token also takes RFC 8693 token exchange
// (form or JSON bodies; huggingface_hub sends JSON with HF_OIDC_RESOURCE
// set): a CI job presents its provider's ID token, ciauth
// checks it (issuer, keys, audience = PublicURL, times, claims matched
// exactly by a trust rule, its jti spent once in the store), and the job
// gets an opaque hf_ token of kind ci, 15 minutes by default, with no
// refresh token. The token's principal is the job (kind ci, its claims),
// which the policy matches like any caller; a "resource" narrows it to
// one repository (invalid_target when the policy lets the job neither
// read nor download it). Errors are RFC 8693's: invalid_request for a
// token that is not acceptable, invalid_grant for claims no rule trusts,
// invalid_target for the resource or audience. Every exchange is recorded
// in Config.Proxy.Audit with the claims that matched, a refused one with
// why; an exchange that cannot be recorded hands out nothing.
//
// # The Hub's API
//
// With Config.Proxy.Policy set, every path that hubroute reads as the Hub's
// (search, repo metadata, resolve and raw) goes to a proxy.Proxy before the
// gateway's own routes are looked at, after the identity middleware: the
// caller is decided and recorded, and the Hub is asked with the upstream
// credential of Config.Upstream for the caller. The people who use the
// gateway have their Hugging Face profile (orgs and roles) read again every
// Config.UserinfoRefresh, or at once with RefreshUser (and POST
// /admin/api/users/refresh), so that the policy sees a membership change.
//
// # Operations
//
// /healthz (the process answers), /readyz (the database answers, with the
// expected schema), /metrics (Prometheus), one JSON log line per request
// (never a token or a cookie), rate limits per client address on the token
// and device endpoints and on user-code entry, and an admin API under
// /admin/api/ for the admins the config names.
package gateway
