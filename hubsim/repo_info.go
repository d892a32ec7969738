package hubsim

import (
	"net/http"

	"github.com/hfgate/hfgate/hubroute"
)

// handleRepoInfo serves GET /api/TYPE/{id} and /api/TYPE/{id}/revision/{rev}:
// the full shape of reference §2, or with expand= only the listed
// properties plus _id and id. blobs=true adds size, blobId and lfs to each
// sibling; securityStatus=true adds securityRepoStatus.
func (s *Server) handleRepoInfo(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, c, ok := s.openRevision(w, r, rt)
	if !ok {
		return
	}
	q := r.URL.Query()
	expand, err := expandParams(q, re.typ)
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	blobs, err := queryBool(q, "blobs")
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	security, err := queryBool(q, "securityStatus")
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	keys := keysOf[re.typ].info
	if len(expand) > 0 {
		keys = expandKeys(expand, re.typ)
	}
	if security {
		keys = append(keys[:len(keys):len(keys)], "securityRepoStatus")
	}
	v := &repoView{s: s, re: re, c: c, blobs: blobs}
	obj, err := v.object(keys)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	writeHubJSON(w, r, obj)
}

// handleRefs serves GET /api/TYPE/{id}/refs[?include_prs=1].
func (s *Server) handleRefs(w http.ResponseWriter, r *http.Request, rt hubroute.Route) {
	_, re, ok := s.openRepo(w, r, rt)
	if !ok {
		return
	}
	prs, err := queryBool(r.URL.Query(), "include_prs")
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	list := func(refs []refName) []jsonObject {
		out := []jsonObject{}
		for _, ref := range refs {
			out = append(out, jsonObject{{"name", ref.name}, {"ref", ref.ref}, {"targetCommit", ref.commit.id}})
		}
		return out
	}
	obj := jsonObject{{"branches", list(re.branchRefs)}, {"tags", list(re.tagRefs)}, {"converts", []any{}}}
	if prs {
		obj = append(obj, jsonField{"pullRequests", list(re.prRefs)})
	}
	writeHubJSON(w, r, obj)
}
