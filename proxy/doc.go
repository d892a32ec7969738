// Package proxy is the gateway's Hugging Face-compatible front: an
// http.Handler that answers the Hub's read paths (search, repo info, tree,
// paths-info, refs, commits, auth-check, resolve and raw, for models,
// datasets and Spaces) as the Hub does, for whoever the request's context
// says is calling (hfgate.PrincipalFrom), after asking the policy and
// recording the answer in the audit log. Every Hugging Face client works
// through it by setting its endpoint (HF_ENDPOINT, hubUrl) to the gateway.
//
//	p, err := proxy.New(proxy.Config{
//		Upstream: "https://huggingface.co", PublicURL: "https://hf.example.com",
//		Token: upstreamToken, Policy: pol, Audit: auditWriter, Registerer: reg,
//	})
//	mux.Handle("/", identityMiddleware(p))
//
// # Requests
//
// The path is read with package hubroute. Each request is one action on one
// repository for the policy: search for each search result, read for the
// metadata routes, download for resolve and raw (GET and HEAD). The
// repository's gated and private attributes come from the Hub's repo info,
// cached for Config.AttributesTTL, and are read only when the policy's
// answer depends on them (Decide is tried both ways first). A denial is a
// 403 with X-Error-Code GatedRepo, which huggingface_hub reports with the
// X-Error-Message (the policy's reason, naming the rule), from
// hf_hub_download too.
//
// The Hub is asked with the caller's upstream credential (Config.Token:
// the person's own HF token or the team's service token) and nothing of
// the client's but its User-Agent, Accept, and a paths-info body: the
// client's Authorization (a gateway token) and cookies never go upstream,
// and a request carrying them in its query is refused. The upstream
// credential never reaches the client: answers pass an allowlist of
// headers, and an answer that holds the credential anywhere is withheld
// (502).
//
// Answers are the Hub's, with: pagination Links pointing at the gateway,
// redirects of renamed repos given a relative Location, X-Error-Code,
// X-Error-Message and X-Repo-Commit (also on EntryNotFound) passed on. A
// Hub that cannot be reached, or does not answer in time, is a 502 or 504
// with an X-Error-Message, never a 401 or 404, so that clients fall back to
// their local cache.
//
// # Files
//
// A HEAD of resolve is answered 200 by the gateway itself with every header
// huggingface_hub reads from the first answer: X-Repo-Commit, ETag and
// X-Linked-Etag (the SHA-256 of an LFS file, the git blob sha1 of another),
// X-Linked-Size, Content-Length and Accept-Ranges. A GET streams the bytes,
// which the proxy fetches itself: from the Hub for small files, or by
// following the Hub's LFS redirect to its CDN server-side, with no
// credential at all on the CDN host, and with a Range only on the CDN
// request (a redirect obtained with a Range may be pinned to it). Range is
// answered 206 or 416; nothing is compressed. A transfer the CDN cuts is
// resumed where it stopped (Config.Resumes), asking the Hub for a new
// redirect when the CDN refuses an expired one; one that cannot be
// finished has its client connection cut, never ended as if complete.
//
// # Xet
//
// Every client takes plain HTTP (reference §3): Xet headers (X-Xet-*) and
// Link values with a rel starting with "xet-" never pass, "xetHash" is
// removed from every JSON answer, "xetEnabled" is false, the Xet file-info
// Accept type is not passed on, and xet-read-token is refused (404,
// EntryNotFound). A file larger than Config.MaxFileSize (50 GB, the most
// huggingface_hub downloads over plain HTTP) is refused with a message
// saying so.
//
// # Audit
//
// Every request that names a repository writes audit events through
// Config.Audit before its answer: one decision event (the policy's
// decision and rule, the status, the resolved commit when known) for
// everything that serves no file bytes, denials and errors included; for
// a GET that serves bytes, an intent before the first byte and an end
// after the last (bytes sent, status, outcome, SHA-256, commit, source).
// A search's event counts the results shown and hidden. When Record fails,
// the request is answered 503 and nothing is served (fail closed). Each
// request's events share its request id (Config.RequestID, or one the
// proxy makes and sends as X-Request-Id).
//
// # Metrics
//
// With Config.Registerer: hfgate_proxy_requests_total{route,code},
// hfgate_policy_decisions_total{action,decision,rule},
// hfgate_proxy_file_bytes_total{source},
// hfgate_upstream_request_duration_seconds{route},
// hfgate_upstream_failures_total{route,kind} and
// hfgate_audit_failures_total.
//
// # Bounds
//
// Everything read from a peer is bounded: the Hub's JSON answers
// (Config.MaxMetadata), a paths-info body (Config.MaxRequestBody), a
// metadata exchange's time (Config.MetadataTimeout), a file transfer's
// silence (Config.IdleTimeout), and, with NewTransport, the Hub's header
// sizes and dial, TLS and header times.
package proxy
