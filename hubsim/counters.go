package hubsim

import (
	"maps"
	"net/http"
	"strings"
)

// Route names of Counters.Routes: stable names for what a request asked
// for, independent of the repo and file.
const (
	RouteSearch    = "api/models"           // GET /api/models
	RouteModelInfo = "api/model-info"       // GET /api/models/{id}[/revision/{rev}]
	RouteTree      = "api/tree"             // GET /api/models/{id}/tree/{rev}[/{path}]
	RouteRefs      = "api/refs"             // GET /api/models/{id}/refs
	RoutePathsInfo = "api/paths-info"       // POST /api/models/{id}/paths-info/{rev}
	RouteResolve   = "resolve"              // GET/HEAD /{id}/resolve/{rev}/{path}
	RouteRaw       = "raw"                  // GET/HEAD /{id}/raw/{rev}/{path}
	RouteWhoami    = "whoami"               // /api/whoami-v2
	RouteDiscovery = "openid-configuration" // /.well-known/openid-configuration
	RouteAuthorize = "oauth/authorize"      // /oauth/authorize...
	RouteToken     = "oauth/token"          // /oauth/token
	RouteDevice    = "oauth/device"         // /oauth/device...
	RouteUserinfo  = "oauth/userinfo"       // /oauth/userinfo
	RouteJWKS      = "oauth/jwks"           // /oauth/jwks
	RouteCDN       = "cdn"                  // every request to the CDN host
	RouteOther     = "other"                // anything else
)

// Host names, in FaultRule.Host and as keys of Counters.Hosts.
const (
	HostHub = "hub"
	HostCDN = "cdn"
)

// Counters counts requests and response body bytes, per route and per host,
// since the server started or ResetCounters. Every request counts,
// including faulted ones, except the /_hubsim/ admin routes.
type Counters struct {
	Routes map[string]RouteCounts `json:"routes"` // by Route* name
	Hosts  map[string]RouteCounts `json:"hosts"`  // HostHub, HostCDN
}

// RouteCounts is one line of Counters.
type RouteCounts struct {
	Requests int64 `json:"requests"`
	Bytes    int64 `json:"bytes"`   // response body bytes written (up to a cut)
	Faulted  int64 `json:"faulted"` // requests a fault rule applied to
}

// Route returns the counts of one route (zero if it saw no request).
func (c Counters) Route(name string) RouteCounts { return c.Routes[name] }

// Counters returns a snapshot of the counters. A request is counted when
// it arrives and its bytes as they are written, so the snapshot taken after
// a client has read a response includes it.
func (s *Server) Counters() Counters {
	fs := s.hub.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return Counters{Routes: maps.Clone(fs.counters.Routes), Hosts: maps.Clone(fs.counters.Hosts)}
}

// ResetCounters sets every counter to zero.
func (s *Server) ResetCounters() {
	fs := s.hub.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.resetCounters()
}

func (fs *faultState) resetCounters() {
	fs.counters = Counters{Routes: map[string]RouteCounts{}, Hosts: map[string]RouteCounts{}}
}

// count adds to the counts of a route and its host.
func (fs *faultState) count(host, route string, requests, bytes int64, faulted bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	add := func(m map[string]RouteCounts, k string) {
		c := m[k]
		c.Requests += requests
		c.Bytes += bytes
		if faulted {
			c.Faulted++
		}
		m[k] = c
	}
	add(fs.counters.Routes, route)
	add(fs.counters.Hosts, host)
}

// routeOf names the route of a request.
func (s *Server) routeOf(host string, r *http.Request) string {
	if host == HostCDN {
		return RouteCDN
	}
	p := r.URL.Path
	switch {
	case p == "/api/models":
		return RouteSearch
	case p == "/api/whoami-v2":
		return RouteWhoami
	case p == "/.well-known/openid-configuration":
		return RouteDiscovery
	case strings.HasPrefix(p, "/oauth/"):
		for _, rt := range []string{RouteAuthorize, RouteToken, RouteDevice, RouteUserinfo, RouteJWKS} {
			if strings.HasPrefix(p[1:], rt) {
				return rt
			}
		}
		return RouteOther
	case strings.HasPrefix(p, "/api/models/"):
		_, rest := s.splitRepoID(pathSegments(strings.TrimPrefix(r.URL.EscapedPath(), "/api/models/")), apiVerbs)
		if len(rest) == 0 || rest[0] == "revision" {
			return RouteModelInfo
		}
		switch rest[0] {
		case "tree":
			return RouteTree
		case "refs":
			return RouteRefs
		case "paths-info":
			return RoutePathsInfo
		}
		return RouteOther
	}
	_, rest := s.splitRepoID(pathSegments(r.URL.EscapedPath()), fileVerbs)
	if len(rest) > 0 && rest[0] == "resolve" {
		return RouteResolve
	}
	if len(rest) > 0 && rest[0] == "raw" {
		return RouteRaw
	}
	return RouteOther
}
