package hfgate

import (
	"regexp"
	"strings"
)

// RepoType is the kind of a Hub repository. hfgate works with models; the
// other kinds exist so that cache folder names and URLs are spelled right.
type RepoType string

// Repository kinds, spelled as in URLs and the Hub API.
const (
	RepoTypeModel   RepoType = "model"
	RepoTypeDataset RepoType = "dataset"
	RepoTypeSpace   RepoType = "space"
)

// repoPart is one segment of a repo id as huggingface_hub's validate_repo_id
// accepts it: word characters, '-' and '.', starting and ending with a word
// character, at most 96 characters.
var repoPart = regexp.MustCompile(`^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$`)

// RepoID is a repository id, "owner/name" (or a legacy bare "name").
type RepoID string

// ParseRepoID validates s as a repository id with the Hub's rules: one or two
// segments of letters, digits, '_', '-' and '.', each starting and ending with
// a letter, digit or '_', no "--" or ".." and no ".git" suffix. The rules make
// the cache folder name "models--owner--name" reversible and path-safe.
func ParseRepoID(s string) (RepoID, error) {
	bad := func(why string) (RepoID, error) {
		return "", Errorf(EINVALID, "%q is not a valid repo id (%s); use the form owner/name, e.g. Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", s, why)
	}
	if s == "" {
		return bad("empty")
	}
	parts := strings.Split(s, "/")
	if len(parts) > 2 {
		return bad("more than one '/'")
	}
	for _, p := range parts {
		if !repoPart.MatchString(p) {
			return bad("invalid characters or length")
		}
	}
	if strings.Contains(s, "--") || strings.Contains(s, "..") {
		return bad(`"--" and ".." are not allowed`)
	}
	if strings.HasSuffix(s, ".git") {
		return bad(`it must not end in ".git"`)
	}
	return RepoID(s), nil
}

// Owner returns the part before the '/', or "" for a legacy bare name.
func (r RepoID) Owner() string {
	owner, _, ok := strings.Cut(string(r), "/")
	if !ok {
		return ""
	}
	return owner
}

// Name returns the part after the '/'.
func (r RepoID) Name() string {
	if _, name, ok := strings.Cut(string(r), "/"); ok {
		return name
	}
	return string(r)
}

// String returns the id as "owner/name".
func (r RepoID) String() string { return string(r) }

// DefaultRevision is the branch used when none is given.
const DefaultRevision = "main"

var commitHash = regexp.MustCompile(`^[0-9a-f]{40}$`)

// IsCommitHash reports whether rev is a full 40-hex git commit id, which the
// cache can resolve with no network call.
func IsCommitHash(rev string) bool { return commitHash.MatchString(rev) }

// ValidateRevision checks a branch, tag or commit name given by a user. It
// refuses names that could escape the cache's refs/ folder.
func ValidateRevision(rev string) error {
	if rev == "" || strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/") ||
		strings.Contains(rev, "..") || strings.ContainsAny(rev, "\\\x00") || strings.Contains(rev, "//") {
		return Errorf(EINVALID, "%q is not a valid revision; use a branch, tag or commit id such as main", rev)
	}
	return nil
}

// ValidateRepoPath checks a file path inside a repository, whether it came
// from a user or from a server. A path is relative, uses '/' separators and
// has no empty, "." or ".." segment, so joining it under a local directory can
// never escape that directory.
func ValidateRepoPath(p string) error {
	bad := func(why string) error {
		return Errorf(EINVALID, "refusing file path %q: %s", p, why)
	}
	switch {
	case p == "":
		return bad("empty")
	case strings.HasPrefix(p, "/"):
		return bad("absolute path")
	case strings.ContainsAny(p, "\\\x00"):
		return bad(`contains '\' or NUL`)
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return bad("empty path segment")
		case ".", "..":
			return bad("contains a '.' or '..' segment")
		}
	}
	return nil
}
