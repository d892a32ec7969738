package hubsim

import (
	"maps"
	"net/http"
	"strings"

	"github.com/hfgate/hfgate/hubroute"
)

// Route names of Counters.Routes: stable names for what a request asked
// for, independent of the repo type, repo and file.
const (
	RouteSearch       = "api/models"           // GET /api/{models,datasets,spaces}
	RouteModelInfo    = "api/model-info"       // GET /api/TYPE/{id}[/revision/{rev}]
	RouteTree         = "api/tree"             // GET /api/TYPE/{id}/tree/{rev}[/{path}]
	RouteRefs         = "api/refs"             // GET /api/TYPE/{id}/refs
	RoutePathsInfo    = "api/paths-info"       // POST /api/TYPE/{id}/paths-info/{rev}
	RouteCommits      = "api/commits"          // GET /api/TYPE/{id}/commits/{rev}
	RouteAuthCheck    = "api/auth-check"       // GET /api/TYPE/{id}/auth-check[/write]
	RouteXetReadToken = "api/xet-read-token"   // GET /api/TYPE/{id}/xet-read-token/{rev}
	RouteResolve      = "resolve"              // GET/HEAD /[TYPE/]{id}/resolve/{rev}/{path}
	RouteRaw          = "raw"                  // GET/HEAD /[TYPE/]{id}/raw/{rev}/{path}
	RouteWhoami       = "whoami"               // /api/whoami-v2
	RouteDiscovery    = "openid-configuration" // /.well-known/openid-configuration
	RouteAuthorize    = "oauth/authorize"      // /oauth/authorize...
	RouteToken        = "oauth/token"          // /oauth/token
	RouteDevice       = "oauth/device"         // /oauth/device...
	RouteUserinfo     = "oauth/userinfo"       // /oauth/userinfo
	RouteJWKS         = "oauth/jwks"           // /oauth/jwks
	RouteCDN          = "cdn"                  // every request to the CDN host
	RouteOther        = "other"                // anything else
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
func routeOf(host string, r *http.Request) string {
	if host == HostCDN {
		return RouteCDN
	}
	// A route with an invalid part still counts as its action.
	rt, _ := hubroute.Parse(r.URL.EscapedPath())
	switch rt.Action {
	case hubroute.OAuth:
		if rt.Endpoint == "openid-configuration" {
			return RouteDiscovery
		}
		for _, name := range []string{RouteAuthorize, RouteToken, RouteDevice, RouteUserinfo, RouteJWKS} {
			if ep, _, _ := strings.Cut(rt.Endpoint, "/"); "oauth/"+ep == name {
				return name
			}
		}
		return RouteOther
	case hubroute.WhoAmI:
		return RouteWhoami
	case "":
		return RouteOther
	}
	return routeNames[rt.Action]
}

var routeNames = map[hubroute.Action]string{
	hubroute.Search: RouteSearch, hubroute.RepoInfo: RouteModelInfo, hubroute.Tree: RouteTree,
	hubroute.Refs: RouteRefs, hubroute.PathsInfo: RoutePathsInfo, hubroute.Commits: RouteCommits,
	hubroute.AuthCheck: RouteAuthCheck, hubroute.XetReadToken: RouteXetReadToken,
	hubroute.Resolve: RouteResolve, hubroute.Raw: RouteRaw,
}
