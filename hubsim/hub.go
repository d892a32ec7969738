package hubsim

import (
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hfgate/hfgate/hubroute"
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

// registerHub adds the Hub API and file routes. Every path that the more
// specific patterns (OAuth, avatars, /_hubsim/) leave is read with the
// Hub's URL grammar, package hubroute, which the gateway uses too.
func (s *Server) registerHub(mux *http.ServeMux) {
	mux.HandleFunc("/", s.handleHubRoute)
}

// handleHubRoute answers a Hub API or file request: 404 for a path that is
// no Hub route, 405 for a method the route does not take, the action's
// handler otherwise. A route whose repo id, revision or path is invalid is
// answered as the Hub answers a repo it does not have.
func (s *Server) handleHubRoute(w http.ResponseWriter, r *http.Request) {
	rt, err := hubroute.Parse(r.URL.EscapedPath())
	if rt.Action == "" || rt.Action == hubroute.WhoAmI || rt.Action == hubroute.OAuth {
		// No Hub route; WhoAmI and OAuth reach here only with a method
		// their patterns do not take.
		writeHubError(w, r, http.StatusNotFound, "", "Not Found")
		return
	}
	if methods := rt.Action.Methods(); !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeHubError(w, r, http.StatusMethodNotAllowed, "", "Method Not Allowed")
		return
	}
	if err != nil {
		p, ok := s.authenticate(r)
		if !ok {
			errInvalidCredentials.write(w, r)
			return
		}
		repoNotFound(p).write(w, r)
		return
	}
	routeHandlers[rt.Action](s, w, r, rt)
}

// routeHandlers serve the Hub routes by action.
var routeHandlers = map[hubroute.Action]func(*Server, http.ResponseWriter, *http.Request, hubroute.Route){
	hubroute.Search:       (*Server).handleSearch,
	hubroute.RepoInfo:     (*Server).handleRepoInfo,
	hubroute.Tree:         (*Server).handleTree,
	hubroute.PathsInfo:    (*Server).handlePathsInfo,
	hubroute.Refs:         (*Server).handleRefs,
	hubroute.Commits:      (*Server).handleCommits,
	hubroute.AuthCheck:    (*Server).handleAuthCheck,
	hubroute.XetReadToken: (*Server).handleXetReadToken,
	hubroute.Resolve:      (*Server).handleResolve,
	hubroute.Raw:          (*Server).handleResolve,
}

// baseURL is the Hub's URL as the client reached it, for absolute links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
