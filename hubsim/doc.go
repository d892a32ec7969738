// Package hubsim is a simulated Hugging Face Hub: an OAuth 2.0 / OpenID
// Connect provider, the Hub HTTP API, file serving with a separate signed
// "CDN", and fault injection with counters for tests.
//
// It behaves like huggingface.co as documented in the project's reference
// notes (paths, field names, headers, status codes and X-Error-Code values),
// because the same client code must work against the real Hub unchanged and
// because third-party Hugging Face clients are pointed at it. Where the real
// behaviour is not documented, a comment marked UNVERIFIED says what was
// chosen and why.
//
// Start one in a test with hubsimtest.Start, or with New and Start; "hfgate
// hubsim" and "hfgate demo" run it as a process. Everything lives in memory: the
// built-in catalog's multi-gigabyte files are generated deterministically as
// they are read, so they cost no disk.
//
// # OAuth 2.0 and OpenID Connect
//
// At huggingface.co's paths: /.well-known/openid-configuration (issuer =
// URL), /oauth/authorize (an HTML consent page to pick a user, see the
// scopes and tick orgs, or Options.AutoApprove / SetAutoApprove to approve
// at once), /oauth/token (authorization_code with PKCE S256, single-use
// codes; refresh_token with rotation; the device_code grant), POST
// /oauth/device and its verification page GET /oauth/device,
// /oauth/userinfo, /oauth/jwks (RS256) and /api/whoami-v2. Access tokens
// are opaque hf_oauth_… values that the Hub API honours with their scopes
// and granted orgs; classic hf_… tokens come from MintToken. The built-in
// apps are ClientPublic and ClientConfidential (secret ClientSecret);
// RevokeOAuth revokes a user's OAuth tokens. The avatars that whoami-v2's
// avatarUrl and the "picture" claim point to are served at
// GET /avatars/{hash}.svg: a generated SVG, the same on every run.
//
// # Hub API
//
// On the Hub host (URL): GET /api/models (search), GET /api/models/{id}
// and /api/models/{id}/revision/{rev} (model info), /api/models/{id}/tree/{rev}[/{path}],
// /api/models/{id}/refs, POST /api/models/{id}/paths-info/{rev}, and
// GET/HEAD /{id}/resolve/{rev}/{path} and /{id}/raw/{rev}/{path}. LFS files
// redirect (302) to the CDN host (CDNURL) with presigned URLs valid for
// CDNURLTTL; the CDN refuses requests that carry Authorization.
//
// # Catalog
//
// BuiltinCatalog has about thirty repos; the Repo* constants name the ones
// tests rely on. LoadCatalog reads a custom catalog in the same JSON format.
// Catalog.Stat gives a file's expected size, SHA-256 and ETag, Catalog.Open
// its bytes; Server.ResolveURL and Server.CDNFileURL build download URLs.
//
// # Faults and counters
//
// SetFaults installs FaultRules (latency, bandwidth caps, error statuses with
// Retry-After, connections cut after N bytes, a corrupted byte, Range
// ignored) on either host; Counters reports requests and bytes per route
// (Route* names) and host. Both are also reachable over HTTP under
// /_hubsim/ for tests in other processes, as are token minting
// (POST /_hubsim/tokens), the clock (POST /_hubsim/clock), auto-approval
// (PUT /_hubsim/auto-approve) and revocation (POST /_hubsim/revoke).
package hubsim
