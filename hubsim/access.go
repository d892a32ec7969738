package hubsim

import (
	"io"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
)

// hubError is an error answer of the Hub API, as reference §4 tabulates
// them.
type hubError struct {
	status int
	code   string // X-Error-Code; "" for none
	msg    string // X-Error-Message and the JSON body's "error"
	commit string // X-Repo-Commit, sent with EntryNotFound
}

func (e *hubError) write(w http.ResponseWriter, r *http.Request) {
	if e.commit != "" {
		w.Header().Set("X-Repo-Commit", e.commit)
	}
	writeHubError(w, r, e.status, e.code, e.msg)
}

var errInvalidCredentials = &hubError{status: http.StatusUnauthorized, msg: errBadCredentials}

// repoNotFound is the answer for a repo that does not exist or that p may
// not see: 401 to an anonymous caller (the Hub does not tell them whether
// the repo exists), 404 to an authenticated one.
func repoNotFound(p *principal) *hubError {
	if p.anonymous() {
		return &hubError{status: http.StatusUnauthorized, code: "RepoNotFound", msg: "Invalid username or password."}
	}
	return &hubError{status: http.StatusNotFound, code: "RepoNotFound", msg: "Repository not found"}
}

// UNVERIFIED: the exact text. huggingface_hub reads only the code.
func revisionNotFound(rev string) *hubError {
	return &hubError{status: http.StatusNotFound, code: "RevisionNotFound", msg: "Invalid rev id: " + rev}
}

func entryNotFound(commit string) *hubError {
	return &hubError{status: http.StatusNotFound, code: "EntryNotFound", msg: "Entry not found", commit: commit}
}

// errDisabled answers every request for a disabled repo's contents.
// huggingface_hub detects it by this message, not by a code.
var errDisabled = &hubError{status: http.StatusForbidden, msg: "Access to this resource is disabled."}

// openRepo authenticates the request and finds the repo the route names,
// checking that the caller may see it. On failure it has answered (an
// error, or 307 to a renamed repo's new id) and returns ok=false.
//
// UNVERIFIED: a disabled repo answers 403 on its info too (huggingface_hub's
// DisabledRepoError docstring shows dataset_info failing that way), not only
// on its files.
func (s *Server) openRepo(w http.ResponseWriter, r *http.Request, rt hubroute.Route) (*principal, *repoEntry, bool) {
	p, ok := s.authenticate(r)
	if !ok {
		errInvalidCredentials.write(w, r)
		return nil, nil, false
	}
	re, renamed := s.hub.idx.lookup(rt.Type, string(rt.Repo))
	if re == nil || !canSee(p, re) {
		repoNotFound(p).write(w, r)
		return nil, nil, false
	}
	if renamed != "" {
		redirectRenamed(w, r, rt, renamed)
		return nil, nil, false
	}
	if re.Disabled {
		errDisabled.write(w, r)
		return nil, nil, false
	}
	return p, re, true
}

// redirectRenamed answers 307 with a relative Location: the same route and
// query with the new id, as the Hub does for renamed repos.
func redirectRenamed(w http.ResponseWriter, r *http.Request, rt hubroute.Route, newID string) {
	rt.Repo = hfgate.RepoID(newID)
	loc := rt.EscapedPath()
	if r.URL.RawQuery != "" {
		loc += "?" + r.URL.RawQuery
	}
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTemporaryRedirect)
	if r.Method != http.MethodHead {
		io.WriteString(w, "Temporary Redirect. Redirecting to "+loc)
	}
}

// canSee reports whether p may see re at all. Public repos are visible to
// everyone. Private ones to their owner and the members of their owning
// org; an OAuth token also needs the read-repos scope, and for an org repo,
// the org granted on the consent page (principal.orgRole checks that).
func canSee(p *principal, re *repoEntry) bool {
	if !re.Private {
		return true
	}
	if p.anonymous() || !p.hasScope("read-repos") {
		return false
	}
	return re.owner == p.user.Name || p.orgRole(re.owner) != ""
}

// checkGated decides whether p may download files of re. A gated repo's info
// and file list stay visible (reference §2: only the files are restricted;
// UNVERIFIED). Access needs a grant, ownership or membership of the owning
// org; an OAuth token also needs the gated-repos scope.
func (s *Server) checkGated(r *http.Request, p *principal, re *repoEntry) *hubError {
	if re.Gated == "" {
		return nil
	}
	what := string(re.typ) + " " + re.ID
	if p.anonymous() {
		return &hubError{status: http.StatusUnauthorized, code: "GatedRepo",
			msg: "Access to " + what + " is restricted. You must have access to it and be authenticated to access it. Please log in."}
	}
	member := re.owner == p.user.Name || p.orgRole(re.owner) != ""
	if (member || s.ids.granted(re, p.user.Name)) && (p.tok.kind != oauthToken || p.hasScope("gated-repos")) {
		return nil
	}
	return &hubError{status: http.StatusForbidden, code: "GatedRepo",
		msg: "Access to " + what + " is restricted and you are not in the authorized list. Visit " + baseURL(r) + repoPage(re) + " to ask for access."}
}

// openFiles is openRepo for a request for files (or the means to fetch
// them): it also checks the caller's access to a gated repo.
func (s *Server) openFiles(w http.ResponseWriter, r *http.Request, rt hubroute.Route) (*principal, *repoEntry, bool) {
	p, re, ok := s.openRepo(w, r, rt)
	if !ok {
		return nil, nil, false
	}
	if herr := s.checkGated(r, p, re); herr != nil {
		herr.write(w, r)
		return nil, nil, false
	}
	return p, re, true
}

// repoPage is the path of a repo's web page: /owner/name for a model,
// /datasets/owner/name and /spaces/owner/name for the others.
func repoPage(re *repoEntry) string {
	if re.typ == hfgate.RepoTypeModel {
		return "/" + re.ID
	}
	return "/" + string(re.typ) + "s/" + re.ID
}

// openRevision is openRepo followed by resolveRevision: it writes the
// error and reports false if either fails.
func (s *Server) openRevision(w http.ResponseWriter, r *http.Request, rt hubroute.Route) (*principal, *repoEntry, *commitEntry, bool) {
	p, re, ok := s.openRepo(w, r, rt)
	if !ok {
		return nil, nil, nil, false
	}
	c, herr := resolveRevision(re, rt.Revision)
	if herr != nil {
		herr.write(w, r)
		return nil, nil, nil, false
	}
	return p, re, c, true
}

// resolveRevision finds the commit rev names in re.
func resolveRevision(re *repoEntry, rev string) (*commitEntry, *hubError) {
	if rev == "" {
		return re.main, nil
	}
	if c := re.resolve(rev); c != nil {
		return c, nil
	}
	return nil, revisionNotFound(rev)
}
