// Package hubroute is the Hugging Face Hub's URL grammar: it reads a request
// path and says what it asks for — which action (model info, tree,
// paths-info, refs, commits, auth-check, resolve, raw, xet-read-token,
// search, whoami, OAuth), on which repository type and id, at which
// revision, for which file or directory. hubsim routes with it, and the
// gateway decides policy with it, so both read every URL the same way.
//
// It is pure: it imports only the standard library and the root package,
// does no I/O and keeps no state.
//
// # Grammar
//
// Paths as huggingface_hub, @huggingface/hub and llama.cpp build them (TYPE
// is models, datasets or spaces; REPO is owner/name or a legacy bare name):
//
//	GET  /api/TYPE                                   Search
//	GET  /api/TYPE/REPO[/revision/REV]                RepoInfo
//	GET  /api/TYPE/REPO/tree/REV[/PATH]               Tree
//	POST /api/TYPE/REPO/paths-info/REV                PathsInfo
//	GET  /api/TYPE/REPO/refs                          Refs
//	GET  /api/TYPE/REPO/commits/REV                   Commits
//	GET  /api/TYPE/REPO/auth-check[/write]            AuthCheck
//	GET  /api/TYPE/REPO/xet-read-token/REV            XetReadToken
//	GET  /[datasets/|spaces/]REPO/resolve/REV/PATH    Resolve (models have no prefix)
//	GET  /[datasets/|spaces/]REPO/raw/REV/PATH        Raw
//	GET  /api/whoami-v2                               WhoAmI
//	     /oauth/..., /.well-known/openid-configuration OAuth
//
// Each segment is URL-decoded on its own, so a revision sent whole
// (refs%2Fpr%2F1, as huggingface_hub's quote(rev, safe="") and
// encodeURIComponent send it) stays one revision. A revision sent raw is
// understood too when it is a full ref name (refs/pr/N, refs/heads/NAME,
// refs/tags/NAME, refs/convert/NAME); otherwise its first segment is the
// revision, as for the real Hub, which cannot tell "a/b" from revision "a"
// and path "b" either.
//
// A repo id is one or two segments. When the segment after the first is an
// action word (revision, tree, refs, resolve, ...) and the one-segment
// reading is a complete route, the id is the legacy one-segment name
// ("/api/models/gpt2/refs" is gpt2's refs); otherwise it is owner/name. So
// a repository whose name is an action word cannot be addressed by the
// actions whose URLs it makes ambiguous.
//
// Every part is validated as the root package validates user input
// (hfgate.ParseRepoID, ValidateRevision, ValidateRepoPath): a Route that
// Parse returns never holds "..", an empty segment, a NUL or a backslash,
// so a caller may use it as a key or join it into a local path. The
// revision "refs" alone is refused, since it cannot be told apart from a
// raw full ref name.
//
// A path that carries a prefix (an HF_ENDPOINT such as https://gw/hf) must
// have it removed before Parse.
package hubroute
