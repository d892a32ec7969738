package main

import (
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
)

// ciConfig is the [ci] part of the gateway's config file: the CI
// providers whose ID tokens the gateway trusts, and which of their jobs
// may exchange one for a gateway token.
//
//	[[ci.issuer]]
//	name = "github"
//	url = "https://token.actions.githubusercontent.com"
//
//	[[ci.trust]]
//	name = "acme-app-main"
//	issuer = "github"
//	claims = { repository_id = "42", repository_owner_id = "7", ref = "refs/heads/main" }
//	ttl = "15m"
type ciConfig struct {
	Issuers []struct {
		Name    string `toml:"name"`
		URL     string `toml:"url"`
		JWKSURL string `toml:"jwks_url"` // default: from the issuer's discovery document
	} `toml:"issuer"`
	Trust []struct {
		Name   string            `toml:"name"`
		Issuer string            `toml:"issuer"`
		Claims map[string]string `toml:"claims"`
		TTL    duration          `toml:"ttl"` // default 15m, at most 1h
	} `toml:"trust"`
}

// gateway returns c as the gateway's CI trust.
func (c *ciConfig) gateway() gateway.CI {
	var out gateway.CI
	for _, is := range c.Issuers {
		out.Issuers = append(out.Issuers, ciauth.Issuer{Name: is.Name, URL: is.URL, JWKSURL: is.JWKSURL})
	}
	for _, r := range c.Trust {
		out.Rules = append(out.Rules, ciauth.Rule{Name: r.Name, Issuer: r.Issuer, Claims: r.Claims, TTL: time.Duration(r.TTL)})
	}
	return out
}

// problems lists what is wrong in [ci], without network calls.
func (c *ciConfig) problems() []string {
	g := c.gateway()
	if err := ciauth.ValidateTrust(g.Issuers, g.Rules); err != nil {
		return []string{"[ci]: " + hfgate.ErrorMessage(err)}
	}
	return nil
}
