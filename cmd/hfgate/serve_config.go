package main

import (
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/oidcauth"
)

// serveConfig is the gateway's own part of its config file: where it
// listens and keeps its state, who signs in and how, and who administers
// it. Every key is optional; flags and environment variables win.
type serveConfig struct {
	Server struct {
		Addr           string   `toml:"addr"`            // default 127.0.0.1:8080
		PublicURL      string   `toml:"public_url"`      // default http(s)://addr
		TrustedProxies []string `toml:"trusted_proxies"` // CIDRs whose X-Forwarded-For is believed
		TLSCert        string   `toml:"tls_cert"`
		TLSKey         string   `toml:"tls_key"`
		// Replica names this replica in the audit log, the same across
		// its restarts (default: the host name).
		Replica string `toml:"replica"`
	} `toml:"server"`
	Database struct {
		URL string `toml:"url"` // sqlite:PATH or postgres://...
	} `toml:"database"`
	Keys struct {
		File string `toml:"file"` // lines id:base64key, the current first
	} `toml:"keys"`
	Hub struct {
		Endpoint string `toml:"endpoint"` // default https://huggingface.co
		Upstream string `toml:"upstream"` // "user" (default) or "service"
		// UserinfoRefresh is how often a user's HF profile (orgs, roles)
		// is read again while they use the gateway (default 5m).
		UserinfoRefresh duration `toml:"userinfo_refresh"`
	} `toml:"hub"`
	HuggingFace providerConfig   `toml:"huggingface"` // sign-in with the Hub itself
	OIDC        []providerConfig `toml:"oidc"`        // [[oidc]]: more sign-in providers
	Sessions    struct {
		TTL         duration `toml:"ttl"`
		IdleTimeout duration `toml:"idle_timeout"`
	} `toml:"sessions"`
	Tokens struct {
		AccessTTL  duration `toml:"access_ttl"`
		RefreshTTL duration `toml:"refresh_ttl"`
	} `toml:"tokens"`
	Admins struct {
		Users []string `toml:"users"` // HF usernames or subjects
		Orgs  []string `toml:"orgs"`  // ORG:ROLE, e.g. acme:admin
	} `toml:"admins"`
	Cache cacheConfig `toml:"cache"`
}

// cacheConfig is [cache]: the replica's own file cache. Without a dir,
// files are not cached.
type cacheConfig struct {
	Dir     string `toml:"dir"`      // this replica's own directory
	MaxSize string `toml:"max_size"` // e.g. "500GiB"; "" or "0": no bound but the disk
	// RevisionTTL is how long a branch or tag's commit is trusted before
	// the Hub is asked again (default 1m); commits are kept for good.
	RevisionTTL duration `toml:"revision_ttl"`
	// RightsTTL is how long, in upstream mode user, a caller's auth-check
	// on a repo lets the cache serve them its files (default 5m): a gated
	// access revoked on the Hub stops within it.
	RightsTTL duration `toml:"rights_ttl"`
	// OfflineRights is how long such a check still counts while the Hub
	// cannot be reached (default 24h).
	OfflineRights duration `toml:"offline_rights"`
}

// maxSize returns [cache] max_size in bytes (0: no bound).
func (c *cacheConfig) maxSize() (int64, error) {
	if c.MaxSize == "" {
		return 0, nil
	}
	n, err := parseBytes(c.MaxSize)
	if err != nil {
		return 0, hfgate.WrapError(hfgate.EINVALID, err, "[cache] max_size: %s", hfgate.ErrorMessage(err))
	}
	return n, nil
}

// providerConfig is [huggingface] or one [[oidc]] table.
type providerConfig struct {
	Name         string   `toml:"name"`   // [[oidc]] only: its route segment
	Title        string   `toml:"title"`  // the sign-in button
	Issuer       string   `toml:"issuer"` // [[oidc]] only: discovery by issuer
	ClientID     string   `toml:"client_id"`
	ClientSecret string   `toml:"client_secret"` // or env HFGATE_<NAME>_CLIENT_SECRET
	Scopes       []string `toml:"scopes"`
}

// duration is a TOML string such as "12h" or "90m".
type duration time.Duration

func (d *duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration such as 12h or 90m", b)
	}
	*d = duration(v)
	return nil
}

// problems lists what is wrong in the serve part, without network calls.
func (c *serveConfig) problems() []string {
	var out []string
	if _, err := c.trustedProxies(); err != nil {
		out = append(out, err.Error())
	}
	if (c.Server.TLSCert == "") != (c.Server.TLSKey == "") {
		out = append(out, "[server] tls_cert and tls_key go together")
	}
	if u := c.Hub.Upstream; u != "" && u != string(gateway.UpstreamUser) && u != string(gateway.UpstreamService) {
		out = append(out, fmt.Sprintf("[hub] upstream = %q: want \"user\" or \"service\"", u))
	}
	for i, p := range c.OIDC {
		if p.Name == "" || p.Issuer == "" || p.ClientID == "" {
			out = append(out, fmt.Sprintf("[[oidc]] #%d needs name, issuer and client_id", i+1))
		}
	}
	if _, err := c.admins(); err != nil {
		out = append(out, err.Error())
	}
	if _, err := c.Cache.maxSize(); err != nil {
		out = append(out, hfgate.ErrorMessage(err))
	}
	if r := c.Server.Replica; r != "" {
		if err := audit.CheckReplica(r); err != nil {
			out = append(out, "[server] replica: "+hfgate.ErrorMessage(err))
		}
	}
	return out
}

// replica returns the id of this replica in the audit log: [server]
// replica, else the host name made fit (letters, digits, '.', '_', '-').
func (c *serveConfig) replica() string {
	if c.Server.Replica != "" {
		return c.Server.Replica
	}
	host, _ := os.Hostname()
	host = strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, host)
	if host == "" {
		host = "gateway"
	}
	return host[:min(len(host), 64)]
}

func (c *serveConfig) trustedProxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.Server.TrustedProxies {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("[server] trusted_proxies: %q is not an address or CIDR", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p)
	}
	return out, nil
}

func (c *serveConfig) admins() (gateway.Admins, error) {
	a := gateway.Admins{Users: c.Admins.Users}
	for _, o := range c.Admins.Orgs {
		org, role, ok := strings.Cut(o, ":")
		if !ok || org == "" || !validRole(role) {
			return a, fmt.Errorf("[admins] orgs: %q is not ORG:ROLE (role read, contributor, write or admin)", o)
		}
		a.Orgs = append(a.Orgs, gateway.OrgRole{Org: org, Role: role})
	}
	return a, nil
}

func validRole(r string) bool {
	return r == "read" || r == "contributor" || r == "write" || r == "admin"
}

// providers returns the sign-in providers: [huggingface] when it has a
// client id (against hub), then every [[oidc]] table. Secrets may come
// from the environment: HFGATE_HUGGINGFACE_CLIENT_SECRET,
// HFGATE_<NAME>_CLIENT_SECRET.
func (c *serveConfig) providers(hub string, env func(string) string) []gateway.Provider {
	var out []gateway.Provider
	secret := func(name, fromFile string) string {
		key := "HFGATE_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_CLIENT_SECRET"
		return firstNonEmpty(env(key), fromFile)
	}
	if hf := c.HuggingFace; hf.ClientID != "" {
		o := oidcauth.HuggingFace(hub)
		o.ClientID, o.ClientSecret = hf.ClientID, secret("huggingface", hf.ClientSecret)
		if len(hf.Scopes) > 0 {
			o.Scopes = hf.Scopes
		}
		out = append(out, gateway.Provider{Name: "huggingface", Title: firstNonEmpty(hf.Title, "Hugging Face"), OAuth: o})
	}
	for _, p := range c.OIDC {
		scopes := p.Scopes
		if len(scopes) == 0 {
			scopes = []string{"openid", "profile", "email"}
		}
		out = append(out, gateway.Provider{Name: p.Name, Title: firstNonEmpty(p.Title, p.Name), OAuth: oidcauth.Config{
			Name: firstNonEmpty(p.Title, p.Name), Issuer: p.Issuer, ClientID: p.ClientID,
			ClientSecret: secret(p.Name, p.ClientSecret), Scopes: scopes,
		}})
	}
	return out
}
