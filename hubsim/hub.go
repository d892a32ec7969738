package hubsim

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// hubState is the Hub side of a Server: the catalog, the CDN signing key,
// the CDN's index of LFS contents by SHA-256, and fault rules and counters.
type hubState struct {
	idx    *catalogIndex
	cdnKey []byte

	mu    sync.Mutex
	blobs map[string]*contentSource // sha256 -> content, for the CDN

	faults *faultState
}

func newHubState(cat *Catalog) (*hubState, error) {
	if cat.idx == nil {
		return nil, errors.New("hubsim: the catalog was not loaded: use LoadCatalog or BuiltinCatalog")
	}
	h := &hubState{idx: cat.idx, cdnKey: make([]byte, 32), blobs: map[string]*contentSource{}, faults: newFaultState()}
	rand.Read(h.cdnKey)
	for key, rec := range cat.idx.digests.table {
		if src := cat.idx.gen.sourceByKey(key); src != nil {
			h.blobs[rec.SHA256] = src
		}
	}
	return h, nil
}

// registerHub adds the Hub API and file routes. Repo ids hold one '/' (or
// none, for legacy ids such as "bert-base-uncased"), so these paths are
// parsed by hand rather than by ServeMux patterns.
func (s *Server) registerHub(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/models", s.handleSearch)
	mux.HandleFunc("/api/models/", s.handleModelsAPI)
	mux.HandleFunc("/", s.handleRepoFiles)
}

// handleModelsAPI serves /api/models/{id}[/revision/{rev} | /tree/{rev}[/{path}]
// | /refs | /paths-info/{rev}].
func (s *Server) handleModelsAPI(w http.ResponseWriter, r *http.Request) {
	segs := pathSegments(strings.TrimPrefix(r.URL.EscapedPath(), "/api/models/"))
	id, rest := s.splitRepoID(segs, apiVerbs)
	method := r.Method
	switch {
	case len(rest) == 0 && (method == http.MethodGet || method == http.MethodHead):
		s.handleModelInfo(w, r, id, "")
	case len(rest) >= 2 && rest[0] == "revision" && (method == http.MethodGet || method == http.MethodHead):
		s.handleModelInfo(w, r, id, strings.Join(rest[1:], "/"))
	case len(rest) >= 2 && rest[0] == "tree" && (method == http.MethodGet || method == http.MethodHead):
		rev, path := splitRevision(rest[1:])
		s.handleTree(w, r, id, rev, path)
	case len(rest) == 1 && rest[0] == "refs" && (method == http.MethodGet || method == http.MethodHead):
		s.handleRefs(w, r, id)
	case len(rest) >= 2 && rest[0] == "paths-info" && method == http.MethodPost:
		s.handlePathsInfo(w, r, id, strings.Join(rest[1:], "/"))
	default:
		writeHubError(w, r, http.StatusNotFound, "", "Not Found")
	}
}

// handleRepoFiles serves /{id}/resolve/{rev}/{path} and /{id}/raw/{rev}/{path}.
func (s *Server) handleRepoFiles(w http.ResponseWriter, r *http.Request) {
	segs := pathSegments(strings.TrimPrefix(r.URL.EscapedPath(), "/"))
	id, rest := s.splitRepoID(segs, fileVerbs)
	if len(rest) < 3 || !fileVerbs[rest[0]] {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeHubError(w, r, http.StatusMethodNotAllowed, "", "Method Not Allowed")
		return
	}
	rev, path := splitRevision(rest[1:])
	if path == "" {
		http.NotFound(w, r)
		return
	}
	s.handleResolve(w, r, id, rev, path, rest[0] == "raw")
}

var (
	apiVerbs  = map[string]bool{"revision": true, "tree": true, "refs": true, "paths-info": true}
	fileVerbs = map[string]bool{"resolve": true, "raw": true}
)

// pathSegments splits an escaped path and unescapes each segment, so that
// an encoded "/" (refs%2Fpr%2F1) stays inside its segment.
func pathSegments(escaped string) []string {
	var out []string
	for _, seg := range strings.Split(escaped, "/") {
		if seg == "" {
			continue
		}
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		out = append(out, seg)
	}
	return out
}

// splitRepoID takes the repo id off the front of segs: "owner/name" when
// that is a known repo (or old id), a bare legacy "name" when that is, and
// otherwise whichever reading the next segment suggests.
func (s *Server) splitRepoID(segs []string, verbs map[string]bool) (id string, rest []string) {
	known := func(id string) bool { re, _ := s.hub.idx.lookup(id); return re != nil }
	switch {
	case len(segs) >= 2 && known(segs[0]+"/"+segs[1]):
		return segs[0] + "/" + segs[1], segs[2:]
	case len(segs) >= 1 && known(segs[0]):
		return segs[0], segs[1:]
	case len(segs) >= 2 && !verbs[segs[1]]:
		return segs[0] + "/" + segs[1], segs[2:]
	case len(segs) >= 1:
		return segs[0], segs[1:]
	}
	return "", nil
}

// splitRevision takes the revision off the front of segs. Clients encode a
// revision's slashes (refs%2Fpr%2F1), but "refs/pr/1" sent raw is
// understood too.
func splitRevision(segs []string) (rev, path string) {
	if len(segs) == 0 {
		return "", ""
	}
	n := 1
	if segs[0] == "refs" && len(segs) >= 3 {
		switch segs[1] {
		case "pr", "heads", "tags", "convert":
			n = 3
		}
	}
	return strings.Join(segs[:n], "/"), strings.Join(segs[n:], "/")
}

// baseURL is the Hub's URL as the client reached it, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
