package hubroute

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/hfgate/hfgate"
)

// Action is what a Hub request asks for.
type Action string

// Actions, one per Hub endpoint family (see the package documentation for
// the paths).
const (
	Search       Action = "search"         // list repos of a type
	RepoInfo     Action = "repo-info"      // a repo's info, at a revision or the default branch
	Tree         Action = "tree"           // the files and directories under a path
	PathsInfo    Action = "paths-info"     // the entries of the paths named in the body
	Refs         Action = "refs"           // branches, tags, converts and pull requests
	Commits      Action = "commits"        // the history of a revision
	AuthCheck    Action = "auth-check"     // may the caller read (or write) the repo
	XetReadToken Action = "xet-read-token" // a token for the Xet storage of a revision
	Resolve      Action = "resolve"        // a file's content
	Raw          Action = "raw"            // a file as stored in git (an LFS file's pointer)
	WhoAmI       Action = "whoami"         // the caller's account
	OAuth        Action = "oauth"          // the OAuth 2.0 / OpenID Connect provider
)

// Methods returns the HTTP methods the Hub answers for a, or nil when that
// depends on the endpoint (OAuth).
func (a Action) Methods() []string {
	switch a {
	case PathsInfo:
		return []string{http.MethodPost}
	case OAuth, "":
		return nil
	}
	return []string{http.MethodGet, http.MethodHead}
}

// Downloads reports whether a hands out a file's content (or the means to
// fetch it, as a Xet read token does), as opposed to metadata.
func (a Action) Downloads() bool { return a == Resolve || a == Raw || a == XetReadToken }

// Route is what a Hub request path means. Fields an action does not use are
// empty.
type Route struct {
	Action Action
	// Type is the repository type of a repo action or of Search.
	Type hfgate.RepoType
	// Repo is the repository id as the path names it (an old id of a
	// renamed repo is not resolved here).
	Repo hfgate.RepoID
	// Revision is the decoded revision ("refs/pr/1"); "" when the path
	// names none: RepoInfo of the default branch, Refs, AuthCheck.
	Revision string
	// Path is the file (Resolve, Raw) or directory (Tree; "" for the root).
	Path string
	// Write is set for AuthCheck's /auth-check/write.
	Write bool
	// Endpoint names the OAuth endpoint: "openid-configuration", or the
	// path under /oauth/ ("authorize", "token", "device", "userinfo",
	// "jwks", ...).
	Endpoint string
}

// typeSegments maps a repo type to its plural URL segment.
var typeSegments = map[hfgate.RepoType]string{
	hfgate.RepoTypeModel: "models", hfgate.RepoTypeDataset: "datasets", hfgate.RepoTypeSpace: "spaces",
}

// EscapedPath returns the canonical path of r, built as huggingface_hub
// builds it: the revision escaped whole, a Tree directory escaped whole, a
// Resolve or Raw file escaped per segment, models without a prefix on file
// URLs. Parse(r.EscapedPath()) gives r back for every Route Parse returns.
// It returns "" for a Route without an Action.
func (r Route) EscapedPath() string {
	typ := typeSegments[r.Type]
	if typ == "" {
		typ = "models"
	}
	repo := escapeSegments(string(r.Repo))
	api := "/api/" + typ + "/" + repo
	switch r.Action {
	case Search:
		return "/api/" + typ
	case RepoInfo:
		if r.Revision == "" {
			return api
		}
		return api + "/revision/" + url.PathEscape(r.Revision)
	case Tree:
		p := api + "/tree/" + url.PathEscape(r.Revision)
		if r.Path != "" {
			p += "/" + url.PathEscape(r.Path)
		}
		return p
	case PathsInfo, Commits, XetReadToken:
		return api + "/" + string(r.Action) + "/" + url.PathEscape(r.Revision)
	case Refs:
		return api + "/refs"
	case AuthCheck:
		if r.Write {
			return api + "/auth-check/write"
		}
		return api + "/auth-check"
	case Resolve, Raw:
		prefix := "/"
		if r.Type == hfgate.RepoTypeDataset || r.Type == hfgate.RepoTypeSpace {
			prefix += typ + "/"
		}
		return prefix + repo + "/" + string(r.Action) + "/" + url.PathEscape(r.Revision) + "/" + escapeSegments(r.Path)
	case WhoAmI:
		return "/api/whoami-v2"
	case OAuth:
		if r.Endpoint == "openid-configuration" {
			return "/.well-known/openid-configuration"
		}
		return "/oauth/" + escapeSegments(r.Endpoint)
	}
	return ""
}

// escapeSegments escapes each "/"-separated segment of p, keeping the "/".
func escapeSegments(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
