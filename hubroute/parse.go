package hubroute

import (
	"net/url"
	"strings"

	"github.com/hfgate/hfgate"
)

// maxSegments bounds the work Parse does for a path from a peer; the
// deepest file paths of real repos have far fewer.
const maxSegments = 256

// Parse reads an escaped request path (url.URL.EscapedPath, without query)
// as the Hub would. It fails with an *hfgate.Error: ENOTFOUND when the path
// is not a Hub route this package knows (a web page, /api/users/...), and
// EINVALID when it is one but a part is not valid (a malformed repo id, a
// revision or file path with "..", a segment that is not URL-encoded
// properly). With EINVALID the returned Route still has its Action and Type,
// so that a server can answer in the action's terms (a Hub answers an
// invalid repo id as a repo it does not have).
func Parse(escapedPath string) (Route, error) {
	segs, err := segments(escapedPath)
	if err != nil {
		return Route{}, err
	}
	if len(segs) == 0 {
		return Route{}, notFound()
	}
	switch segs[0] {
	case "api":
		return parseAPI(segs[1:])
	case "oauth":
		if len(segs) < 2 {
			return Route{}, notFound()
		}
		r := Route{Action: OAuth, Endpoint: strings.Join(segs[1:], "/")}
		if err := hfgate.ValidateRepoPath(r.Endpoint); err != nil {
			return r, hfgate.WrapError(hfgate.EINVALID, err, "hub path: invalid OAuth endpoint")
		}
		return r, nil
	case ".well-known":
		if len(segs) != 2 || segs[1] != "openid-configuration" {
			return Route{}, notFound()
		}
		return Route{Action: OAuth, Endpoint: "openid-configuration"}, nil
	}
	typ, rest := hfgate.RepoTypeModel, segs
	if t, ok := typeOf(segs[0]); ok && t != hfgate.RepoTypeModel {
		typ, rest = t, segs[1:]
	}
	return pick(typ, rest, fileWords, fileTail)
}

// segments splits an escaped path into its decoded segments. An empty
// segment (a "//", or a trailing "/") is refused: the Hub's clients never
// send one, and a route must have one reading only.
func segments(escaped string) ([]string, error) {
	rest, ok := strings.CutPrefix(escaped, "/")
	if !ok {
		return nil, invalid("the path must start with /")
	}
	if rest == "" {
		return nil, nil
	}
	parts := strings.Split(rest, "/")
	if len(parts) > maxSegments {
		return nil, invalid("the path has too many segments")
	}
	for i, p := range parts {
		v, err := url.PathUnescape(p)
		if err != nil {
			return nil, invalid("the path is not URL-encoded properly")
		}
		if v == "" {
			return nil, invalid("the path has an empty segment")
		}
		parts[i] = v
	}
	return parts, nil
}

// typeOf reads a plural type segment ("models", "datasets", "spaces").
func typeOf(seg string) (hfgate.RepoType, bool) {
	for t, s := range typeSegments {
		if s == seg {
			return t, true
		}
	}
	return "", false
}

func parseAPI(segs []string) (Route, error) {
	if len(segs) == 0 {
		return Route{}, notFound()
	}
	if len(segs) == 1 && segs[0] == "whoami-v2" {
		return Route{Action: WhoAmI}, nil
	}
	typ, ok := typeOf(segs[0])
	if !ok {
		return Route{}, notFound()
	}
	if len(segs) == 1 {
		return Route{Action: Search, Type: typ}, nil
	}
	return pick(typ, segs[1:], apiWords, apiTail)
}

// A tail parser reads what follows the repo id: the action and its
// revision and path. ok is false when the segments are not a route.
type tailParser func(tail []string) (r Route, ok bool)

var (
	apiWords = map[string]bool{"revision": true, "tree": true, "paths-info": true, "refs": true,
		"commits": true, "auth-check": true, "xet-read-token": true}
	fileWords = map[string]bool{"resolve": true, "raw": true}
)

// pick chooses between the one-segment (legacy) and two-segment
// (owner/name) readings of the repo id at the front of segs, as the package
// documentation describes, and validates the result.
func pick(typ hfgate.RepoType, segs []string, words map[string]bool, tail tailParser) (Route, error) {
	// read takes the id from the first n segments.
	read := func(n int) (Route, bool) {
		if len(segs) < n {
			return Route{}, false
		}
		r, ok := tail(segs[n:])
		r.Repo = hfgate.RepoID(strings.Join(segs[:n], "/"))
		return r, ok
	}
	if len(segs) == 0 {
		return Route{}, notFound()
	}
	n := 2
	r, ok := Route{}, false
	if len(segs) >= 2 && words[segs[1]] {
		n = 1
		r, ok = read(n)
	}
	if !ok {
		n = 2
		r, ok = read(n)
	}
	if !ok {
		n = 1
		r, ok = read(n)
	}
	if !ok {
		return Route{}, notFound()
	}
	r.Type = typ
	return r, validate(r, segs[:n])
}

// apiTail reads the part of an /api/TYPE/REPO path after the id.
func apiTail(t []string) (Route, bool) {
	if len(t) == 0 {
		return Route{Action: RepoInfo}, true
	}
	rev := strings.Join(t[1:], "/")
	switch t[0] {
	case "revision":
		return Route{Action: RepoInfo, Revision: rev}, rev != ""
	case "tree":
		if len(t) < 2 {
			return Route{}, false
		}
		rev, path := splitRevision(t[1:])
		return Route{Action: Tree, Revision: rev, Path: path}, true
	case "paths-info", "commits", "xet-read-token":
		return Route{Action: Action(t[0]), Revision: rev}, rev != ""
	case "refs":
		return Route{Action: Refs}, len(t) == 1
	case "auth-check":
		switch {
		case len(t) == 1:
			return Route{Action: AuthCheck}, true
		case len(t) == 2 && t[1] == "write":
			return Route{Action: AuthCheck, Write: true}, true
		}
	}
	return Route{}, false
}

// fileTail reads the part of a file URL after the id: resolve or raw, the
// revision and the file path.
func fileTail(t []string) (Route, bool) {
	if len(t) < 3 || !fileWords[t[0]] {
		return Route{}, false
	}
	rev, path := splitRevision(t[1:])
	return Route{Action: Action(t[0]), Revision: rev, Path: path}, path != ""
}

// splitRevision takes the revision off the front of segs: one segment, or
// three or more for a full ref name sent raw (refs/pr/1, refs/heads/x).
func splitRevision(segs []string) (rev, path string) {
	n := 1
	if segs[0] == "refs" && len(segs) >= 3 {
		switch segs[1] {
		case "pr", "heads", "tags", "convert":
			n = 3
		}
	}
	return strings.Join(segs[:n], "/"), strings.Join(segs[n:], "/")
}

// validate checks each part of r. idSegs are the path segments the repo id
// came from: a segment that held an encoded "/" is not part of an id.
func validate(r Route, idSegs []string) error {
	for _, s := range idSegs {
		if strings.Contains(s, "/") {
			return invalid("the repo id holds an encoded /")
		}
	}
	if _, err := hfgate.ParseRepoID(string(r.Repo)); err != nil {
		return hfgate.WrapError(hfgate.EINVALID, err, "hub path: invalid repo id")
	}
	if r.Revision == "refs" {
		return invalid(`the revision "refs" cannot be told from a raw full ref name`)
	}
	if r.Revision != "" {
		if err := hfgate.ValidateRevision(r.Revision); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "hub path: invalid revision")
		}
	}
	if r.Path != "" {
		if err := hfgate.ValidateRepoPath(r.Path); err != nil {
			return hfgate.WrapError(hfgate.EINVALID, err, "hub path: invalid file path")
		}
	}
	return nil
}

func notFound() error { return hfgate.Errorf(hfgate.ENOTFOUND, "not a Hub route") }

func invalid(why string) error { return hfgate.Errorf(hfgate.EINVALID, "hub path: %s", why) }
