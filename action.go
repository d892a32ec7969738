package hfgate

// RepoAction is what a caller does with a repository, in the words the
// gateway's policy rules and audit events use. Every Hub request the gateway
// serves is one of these on one repository.
type RepoAction string

// Repository actions.
const (
	// RepoSearch is seeing the repository in a search or listing result.
	RepoSearch RepoAction = "search"
	// RepoRead is reading its metadata: model info, tree, paths-info, refs,
	// commits and auth-check.
	RepoRead RepoAction = "read"
	// RepoDownload is getting a file's bytes or headers: resolve and raw,
	// GET and HEAD.
	RepoDownload RepoAction = "download"
)

// Valid reports whether a is one of RepoSearch, RepoRead and RepoDownload.
func (a RepoAction) Valid() bool {
	switch a {
	case RepoSearch, RepoRead, RepoDownload:
		return true
	}
	return false
}
