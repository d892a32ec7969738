package gateway

import (
	"context"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/oidcauth"
)

// upstreamCacheFor is how long a replica reuses an upstream credential it
// read, before reading the store again (a replaced service token, a user's
// new sign-in, is seen within it).
const upstreamCacheFor = 30 * time.Second

// newUpstream returns the source of upstream Hub tokens for the mode.
func (s *Server) newUpstream() *oidcauth.TokenSource {
	ts := &oidcauth.TokenSource{Store: s.store, Endpoint: s.cfg.Hub, CacheFor: upstreamCacheFor, Now: s.cfg.Now}
	if s.cfg.Upstream == UpstreamService {
		ts.Subject = func(*hfgate.Principal) string { return hfgate.ServiceSubject }
		return ts
	}
	for i := range s.cfg.Providers {
		if p := &s.cfg.Providers[i]; p.Name == huggingface {
			cfg := p.OAuth
			if cfg.HTTPClient == nil {
				cfg.HTTPClient = s.cfg.HTTPClient
			}
			ts.Open = func(ctx context.Context, _ *hfgate.Credential) (*oidcauth.Client, error) {
				return oidcauth.Open(ctx, cfg)
			}
		}
	}
	return ts
}
