package hfgate

import (
	"regexp"
	"runtime"
	"strings"
	"unicode"
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

// ValidateRevision checks a branch, tag or commit name given by a user or a
// server. It refuses names that could escape the cache's refs/ folder: an
// absolute name, "." or ".." segments, empty segments, '\', and control
// characters (which git refuses in ref names too).
func ValidateRevision(rev string) error {
	bad := rev == "" || strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/") ||
		strings.Contains(rev, "..") || strings.ContainsRune(rev, '\\') || strings.Contains(rev, "//") ||
		strings.ContainsFunc(rev, unicode.IsControl)
	for seg := range strings.SplitSeq(rev, "/") {
		bad = bad || seg == "."
	}
	if bad {
		return Errorf(EINVALID, "%q is not a valid revision; use a branch, tag or commit id such as main", rev)
	}
	return nil
}

// ValidateRepoPath checks a file path inside a repository, whether it came
// from a user or from a server. A path is relative, uses '/' separators and
// has no empty, "." or ".." segment, so joining it under a local directory can
// never escape that directory. It has no control character, so printing it
// cannot drive a terminal. On Windows a segment must also be a name Windows
// can create as a plain file: no reserved device name (CON, NUL, COM1, ...,
// with any extension), no ':' (which names an alternate data stream) or
// other character Windows forbids, and no trailing '.' or ' '.
func ValidateRepoPath(p string) error {
	return validateRepoPath(p, runtime.GOOS == "windows")
}

func validateRepoPath(p string, windows bool) error {
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
	case strings.ContainsFunc(p, unicode.IsControl):
		return bad("contains a control character")
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch seg {
		case "":
			return bad("empty path segment")
		case ".", "..":
			return bad("contains a '.' or '..' segment")
		}
		if windows {
			if why := windowsNameProblem(seg); why != "" {
				return bad(why)
			}
		}
	}
	return nil
}

// windowsNameProblem says why Windows cannot hold a file named seg, or "".
func windowsNameProblem(seg string) string {
	if strings.ContainsAny(seg, `<>:"|?*`) {
		return `contains one of < > : " | ? *, which Windows does not allow in a file name (':' names an alternate data stream)`
	}
	if strings.HasSuffix(seg, ".") || strings.HasSuffix(seg, " ") {
		return "a name ending in '.' or ' ' is changed by Windows"
	}
	stem, _, _ := strings.Cut(seg, ".")
	if windowsReserved[strings.ToUpper(strings.TrimRight(stem, " "))] {
		return "a reserved device name on Windows"
	}
	return ""
}

// windowsReserved are the device names Windows reserves in every folder,
// with or without an extension.
var windowsReserved = func() map[string]bool {
	m := map[string]bool{"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true}
	for _, d := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3"} {
		m["COM"+d], m["LPT"+d] = true, true
	}
	return m
}()
