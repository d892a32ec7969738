package hubsim

import "net/http"

// HubHandler returns the handler of the Hub host: OAuth/OIDC, the Hub API,
// resolve, avatars, and the /_hubsim/ admin routes, behind fault injection and
// counters. Start serves it; it is exported for tests that mount it
// themselves.
func (s *Server) HubHandler() http.Handler {
	mux := http.NewServeMux()
	s.registerOAuth(mux)
	s.registerAvatars(mux)
	s.registerHub(mux)
	s.registerAdmin(mux)
	return s.instrument("hub", mux)
}

// CDNHandler returns the handler of the CDN host, which serves LFS file
// contents at signed, expiring URLs.
func (s *Server) CDNHandler() http.Handler {
	mux := http.NewServeMux()
	s.registerCDN(mux)
	return s.instrument("cdn", mux)
}
