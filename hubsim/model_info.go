package hubsim

import "net/http"

// handleModelInfo serves GET /api/models/{id} and
// /api/models/{id}/revision/{rev}: the full shape of reference §2, or with
// expand= only the listed properties plus _id and id. blobs=true adds size,
// blobId and lfs to each sibling.
func (s *Server) handleModelInfo(w http.ResponseWriter, r *http.Request, id, rev string) {
	re, c, ok := s.openRevision(w, r, id, rev)
	if !ok {
		return
	}
	q := r.URL.Query()
	expand, err := expandParams(q)
	if err != nil {
		writeHubError(w, r, http.StatusBadRequest, "", err.Error())
		return
	}
	keys := infoOrder
	if len(expand) > 0 {
		keys = expandKeys(expand)
	}
	v := &modelView{idx: s.hub.idx, re: re, c: c, blobs: q.Get("blobs") == "true"}
	obj, err := v.object(keys)
	if err != nil {
		writeInternalError(w, r, err)
		return
	}
	writeHubJSON(w, r, obj)
}

// handleRefs serves GET /api/models/{id}/refs[?include_prs=1].
func (s *Server) handleRefs(w http.ResponseWriter, r *http.Request, id string) {
	_, re, ok := s.openRepo(w, r, id)
	if !ok {
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
	if inc := r.URL.Query().Get("include_prs"); inc == "1" || inc == "true" {
		obj = append(obj, jsonField{"pullRequests", list(re.prRefs)})
	}
	writeHubJSON(w, r, obj)
}
