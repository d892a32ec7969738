package hubsim

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hfgate/hfgate/hubroute"
)

// Page sizes of GET /api/TYPE/{id}/commits/{rev}. UNVERIFIED: the real
// default and maximum; @huggingface/hub asks for 100 per page.
const (
	defaultCommitsLimit = 50
	maxCommitsLimit     = 1000
)

// handleCommits serves GET /api/TYPE/{id}/commits/{rev}: the history of the
// revision, newest first, as huggingface_hub's list_repo_commits and
// @huggingface/hub's listCommits read it: id, title, message, date and
// authors [{user, avatar}], with expand[]=formatted (or expand=formatted)
// the HTML-escaped title and message under "formatted". Pages of limit
// commits are numbered by p from 0 and linked with Link rel="next";
// X-Total-Count is the length of the whole history (@huggingface/hub's
// countCommits reads it).
func (s *Server) handleCommits(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, c, ok := s.openRevision(w, r, rt)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, page := defaultCommitsLimit, 0
	for _, n := range []struct {
		name string
		v    *int
		min  int
	}{{"limit", &limit, 1}, {"p", &page, 0}} {
		if v := q.Get(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i < n.min {
				writeHubError(w, r, http.StatusBadRequest, "", `"`+n.name+`" must be an integer of at least `+strconv.Itoa(n.min))
				return
			}
			*n.v = i
		}
	}
	limit = min(limit, maxCommitsLimit)
	formatted := slices.Contains(append(q["expand[]"], q["expand"]...), "formatted")

	var history []*commitEntry
	for ; c != nil; c = c.parent {
		history = append(history, c)
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(history)))
	start := min(page*limit, len(history))
	end := min(start+limit, len(history))
	out := make([]jsonObject, 0, end-start)
	for i, c := range history[start:end] {
		author := re.owner
		if start+i == len(history)-1 && c.title == "initial commit" {
			author = "system" // the Hub's own first commit (list_repo_commits docstring)
		}
		obj := jsonObject{{"id", c.id}, {"authors", []jsonObject{{{"user", author}, {"avatar", baseURL(r) + avatarURL(author)}}}},
			{"date", hubTime(c.date)}, {"title", c.title}, {"message", ""}}
		if formatted {
			obj = append(obj, jsonField{"formatted", jsonObject{{"title", html.EscapeString(c.title)}, {"message", ""}}})
		}
		out = append(out, obj)
	}
	if end < len(history) {
		next := r.URL.Query()
		next.Set("p", strconv.Itoa(page+1))
		w.Header().Set("Link", "<"+pageURL(r, next)+`>; rel="next"`)
	}
	writeHubJSON(w, r, out)
}

// pageURL is the absolute URL of the request's path with query q.
func pageURL(r *http.Request, q url.Values) string {
	return baseURL(r) + r.URL.EscapedPath() + "?" + q.Encode()
}

// handleAuthCheck serves GET /api/TYPE/{id}/auth-check[/write]
// (huggingface_hub's auth_check): 200 when the caller may read the repo's
// files (or with /write, push to it); otherwise the Hub's errors with
// X-Error-Code: RepoNotFound (401 anonymous, 404 signed in), GatedRepo (401
// anonymous, 403 not granted), 403 for write without the right. UNVERIFIED:
// the success body; clients read only the status.
func (s *Server) handleAuthCheck(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	p, re, ok := s.openFiles(w, r, rt)
	if !ok {
		return
	}
	if rt.Write && !canWrite(p, re) {
		writeHubError(w, r, http.StatusForbidden, "", "You don't have write access to "+re.ID)
		return
	}
	writeHubJSON(w, r, jsonObject{})
}

// canWrite reports whether p may push to re: its owner, or a member of its
// org with the write or admin role, with a write token (a classic write
// token, or an OAuth token with write-repos for a user repo; OAuth org
// writes are not modelled).
func canWrite(p *principal, re *repoEntry) bool {
	if p.anonymous() {
		return false
	}
	if re.owner == p.user.Name {
		return p.hasScope("write-repos")
	}
	role := p.orgRole(re.owner)
	return (role == "write" || role == "admin") && p.tok.kind == classicToken && p.tok.role == "write"
}
