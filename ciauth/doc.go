// Package ciauth decides whether a CI job's OpenID Connect ID token may be
// exchanged for a gateway token (RFC 8693 token exchange): the job's
// provider (GitHub Actions, GitLab, any OIDC issuer) vouches for it, and a
// trust rule of the gateway's config names which jobs are trusted, so that
// no secret needs to be stored in CI.
//
// # What is checked
//
// Verify accepts an ID token only when all of these hold, in this order:
//
//   - it is a compact JWS of at most MaxTokenSize bytes signed with RS256
//     or ES256: "none", HS256 and every other algorithm are refused before
//     any key is looked at;
//   - its "iss" is exactly the URL of a configured Issuer;
//   - its signature verifies with a key of that issuer's JWKS (found by
//     OpenID discovery unless configured), whose "kid" and "alg" agree;
//   - its "aud" is exactly Config.Audience, the gateway's public URL, and
//     nothing else (huggingface_hub asks GitHub for audience = HF_ENDPOINT);
//   - "exp" is present and not past, "nbf" and "iat" are not in the future,
//     each with Config.Leeway of clock skew, and "exp" is at most
//     MaxLifetime away;
//   - "sub" and "jti" are present;
//   - the claims match one Rule of that issuer exactly: every claim the
//     rule names has exactly the value it gives (no prefix, no pattern);
//   - its "jti" was never exchanged before (Config.JTIs, shared by every
//     replica), which it then records as spent.
//
// A refused token is an *hfgate.Error (EUNAUTHORIZED for the token, EFORBIDDEN
// when no rule trusts the job, EUNAVAILABLE when the issuer's keys or the
// store cannot be reached) whose cause is a *Refusal that says why in one
// word, for the audit log and the OAuth error code.
//
// # Keys
//
// Each issuer's keys are fetched once and kept; a token signed by a key
// not seen yet makes the key set be fetched again, at most once per
// RefetchInterval, failed fetches included, so a flood of tokens with
// made-up key ids, or naming an issuer that is down, costs the issuer
// nothing. Fetches are bounded in time and size.
//
// # Who the job is
//
// Job.Principal is the hfgate.Principal the gateway gives the job's token:
// kind PrincipalCI, subject "<issuer name>:<sub>", and the token's scalar
// claims as strings, which the policy's "ci" subjects match exactly.
// Prefer immutable ids (GitHub's repository_id and repository_owner_id,
// GitLab's project_id and namespace_id) over names in rules: names can be
// given up and registered again by someone else.
package ciauth
