package hubsim

import "net/http"

// hubState is the Hub API's state: the catalog and the CDN URL signing key.
//
// TODO(hub): /api/models, model info, tree, resolve, CDN.
type hubState struct{}

func newHubState(cat *Catalog) (*hubState, error) { return &hubState{}, nil }

func (s *Server) registerHub(mux *http.ServeMux) {}

func (s *Server) registerCDN(mux *http.ServeMux) {}
