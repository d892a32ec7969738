// Package policy decides who may do what with which Hugging Face
// repository, from rules that are plain data.
//
// A Config lists Rules. Each rule allows or denies some actions
// (hfgate.RepoSearch, hfgate.RepoRead, hfgate.RepoDownload) on some
// repositories (globs over "owner/name", "datasets/owner/name" and
// "spaces/owner/name", and the conditions "gated" and "private") to some
// callers (a user, an org member with a minimum role, an OIDC group, exact
// claims, a CI job by exact claims, any signed-in caller, anyone). New
// validates the Config and compiles it into a Policy, whose Decide answers
// each request:
//
//   - a deny rule that matches wins over every allow rule;
//   - otherwise the first allow rule that matches allows;
//   - otherwise the request is denied by the rule named "default-deny".
//
// A Decision carries the deciding rule's name and a one-line reason meant
// for the caller (the gateway's X-Error-Message), which names the rule and
// what the caller lacks but never the caller. Explain answers the same
// question for admins, with every rule that matched and why the winner won.
//
// Matching is exact for users' subjects, groups and claims, and ignores case
// for repository names, usernames and org names, because the Hub does: a deny
// rule for "Qwen/*" also holds for "qwen/x".
//
// Decide runs on every request the gateway serves. It allocates nothing
// when it allows, and rules whose patterns all name an owner ("acme/*",
// "datasets/acme/*") are indexed by that owner, so a request is matched
// only against its owner's rules and those that name no owner
// (BenchmarkDecide, BenchmarkDecideUnindexed).
//
// The package reads no files: the command line decodes the configuration
// file into a Config. A Policy is immutable and safe for concurrent use.
package policy
