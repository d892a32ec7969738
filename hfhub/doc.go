// Package hfhub is the HTTP client of the Hugging Face Hub API: model
// search with cursor pagination, model info, repository trees, file
// metadata from the resolve endpoint, ranged downloads and whoami-v2.
//
// Client implements hfgate.Hub. It speaks to huggingface.co exactly as the
// official clients (huggingface_hub, huggingface.js) do, so it works
// unchanged against the real Hub, a mirror set through HF_ENDPOINT, or
// hubsim in tests.
//
// # Errors
//
// Every error is an *hfgate.Error whose Message says what happened and
// whose Action what to do next (sign in, request access, retry, ...),
// chosen from the answer's status and X-Error-Code header (GatedRepo,
// RepoNotFound, RevisionNotFound, EntryNotFound) as huggingface_hub's
// hf_raise_for_status does. When the Hub answered, the cause is an
// *HTTPError carrying the status, X-Error-Code, X-Error-Message, request id,
// Retry-After and, for EntryNotFound, the X-Repo-Commit the answer named;
// reach it with errors.As.
//
// # Retries
//
// Idempotent API requests (all of them: GET and HEAD) are retried on 429,
// 500, 502, 503, 504, timeouts and connection failures, waiting as
// Client.Retry decides (jittered backoff, a server's Retry-After first).
// GetRange alone makes exactly one attempt, because resuming a download
// needs Range-aware retries that only the caller can make.
//
// # A broken or hostile server
//
// An API answer is read with a budget checked as it arrives, not only a
// byte limit: at most 64 MiB, a million JSON values and 64 levels of
// nesting, so that decoding it cannot use up memory; a model card's
// metadata over 1 MiB is left out. An answer that delivers under 1 KiB in a
// ReadTimeout window, the wait for its headers included, is cut and
// retried. Pagination whose next link leads back to a page already read is
// stopped with EUNAVAILABLE. An entry of a listing that is malformed (an
// unsafe file path, a repo id the Hub would not make, an implausible size)
// is left out and reported to OnMalformed; the rest of the listing is used.
// Errors that arise after the server answered say so, and never blame the
// network connection. Sizes above hfgate.MaxFileSize are refused, and hex
// hashes are made lower case.
//
// # Security
//
// The token is sent only in the Authorization header, never in a URL, and
// only to the endpoint's own origin (scheme, host and port). Redirects are
// followed by this package, not by net/http, so that Authorization is
// dropped whenever a hop leaves that origin: stricter than net/http's own
// rule, which keeps the header for a redirect to the same host name on
// another port. Error messages never contain the token, and URLs in them
// lose their query string (the CDN's signed URLs carry credentials there).
package hfhub
