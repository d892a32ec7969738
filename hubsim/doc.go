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
// Start one in a test with hubsimtest.Start, or with New and Start;
// "hfgate hubsim" and "hfgate demo" run it as a process. Everything lives
// in memory: the built-in catalog's multi-gigabyte files are generated
// deterministically as they are read, so they cost no disk.
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
// On the Hub host (URL), for models, datasets and Spaces alike, read with
// the Hub's URL grammar (package hubroute): GET /api/{models,datasets,spaces}
// (search), GET /api/TYPE/{id} and /api/TYPE/{id}/revision/{rev} (repo
// info, with blobs, securityStatus and expand), /api/TYPE/{id}/tree/{rev}[/{path}],
// POST /api/TYPE/{id}/paths-info/{rev}, /api/TYPE/{id}/refs,
// /api/TYPE/{id}/commits/{rev}, /api/TYPE/{id}/auth-check[/write],
// /api/TYPE/{id}/xet-read-token/{rev}, and GET/HEAD
// /[datasets/|spaces/]{id}/resolve/{rev}/{path} and .../raw/.... Booleans
// are read in every form clients send (true, True, 1). LFS files redirect
// (302) to the CDN host (CDNURL) with presigned URLs valid for CDNURLTTL;
// the CDN refuses requests that carry Authorization. The repos a catalog
// marks Xet-backed (Repo.Xet) also send X-Xet-Hash, the xet-auth Link and
// xetHash, as the Hub does; hubsim does not serve the Xet CAS protocol
// itself, so every client downloads them over the plain redirect.
//
// # Users
//
// Users, orgs and gated grants come from Options (alice, bob and acme by
// default) and change at run time: SetMembership, GrantAccess and
// RevokeAccess, SetDisabled. Consent can be given per browser (SignIn, a
// session cookie like huggingface.co's) and per request (Approve), besides
// the global Options.AutoApprove.
//
// # CI identity provider
//
// A second OIDC issuer, CIIssuer ({URL}/_hubsim/ci), behaves like GitHub
// Actions' token service: StartCIJob (or POST /_hubsim/ci/jobs) gives a
// request URL and token, and GET request_url&audience=AUD gives an RS256
// ID token with the job's claims, for tests of CI token exchange.
//
// # Catalog
//
// BuiltinCatalog has about thirty repos; the Repo*, DatasetTiny and
// SpaceDemo constants name the ones tests rely on. LoadCatalog reads a custom catalog in the same JSON format.
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
// (PUT /_hubsim/auto-approve), revocation (POST /_hubsim/revoke),
// memberships, grants, disabled users, approvals, sign-in and the CI
// provider (see registerAdmin in admin.go for the list).
package hubsim
