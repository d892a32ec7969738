package gateway

import (
	"context"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
	"github.com/hfgate/hfgate/proxy"
)

// newProxy builds the Hub's read API of Config.Proxy, with the gateway's
// upstream, public URL, upstream credential, metrics, logs, request ids
// and client addresses; with a Cache, whether it must check each caller's
// own rights (upstream mode user).
func (s *Server) newProxy() (*proxy.Proxy, error) {
	pc := s.cfg.Proxy
	pc.Upstream, pc.PublicURL = s.cfg.Hub, s.cfg.PublicURL
	pc.Token = func(ctx context.Context, p *hfgate.Principal) (string, error) {
		return s.upstream.Token(hfgate.WithPrincipal(ctx, p))
	}
	// In user mode the Hub answers each caller with their own token, so a
	// file cached for one needs the next caller's own recent auth-check.
	pc.CallerCredentials = s.cfg.Upstream != UpstreamService
	pc.Registerer, pc.Logger = s.metrics.reg, s.log
	pc.RequestID = RequestID
	pc.ClientIP = func(r *http.Request) string { return s.clientIP(r).String() }
	return proxy.New(pc)
}

// hubFirst sends the Hub's API and file paths (hubroute reads them as a
// repo route or a search) to hub before the gateway's own routes see them,
// so that a repo whose owner shares a name with a route of the gateway
// ("static", "account", "admin") is still the Hub's. Everything else goes
// to routes, whose last resort is hub too.
func hubFirst(hub, routes http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, _ := hubroute.Parse(r.URL.EscapedPath())
		switch rt.Action {
		case "", hubroute.WhoAmI, hubroute.OAuth:
			routes.ServeHTTP(w, r)
			return
		}
		if info := routeOf(r.Context()); info != nil {
			info.pattern = "hub " + string(rt.Action)
		}
		hub.ServeHTTP(w, r)
	})
}
