package proxy

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubroute"
	"github.com/hfgate/hfgate/policy"
)

// attrs are the attributes of a repository that policy rules may name.
type attrs struct {
	gated, private bool
}

// maxAttrEntries bounds the attribute cache; past it, entries are dropped.
const maxAttrEntries = 1 << 16

// attrCache keeps repositories' attributes for a short time, by repo
// (attributes are facts about a repo, whoever read them), and reads each
// one from the Hub once however many requests want it at once.
type attrCache struct {
	ttl time.Duration
	now func() time.Time

	mu sync.RWMutex
	m  map[string]attrEntry

	group singleflight.Group
}

type attrEntry struct {
	a  attrs
	at time.Time
}

func newAttrCache(ttl time.Duration, now func() time.Time) *attrCache {
	return &attrCache{ttl: ttl, now: now, m: map[string]attrEntry{}}
}

// attrKey is the cache key of a repo: ids are case-insensitive on the Hub.
func attrKey(typ hfgate.RepoType, id hfgate.RepoID) string {
	return string(typ) + ":" + strings.ToLower(string(id))
}

func (c *attrCache) get(key string) (attrs, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || c.now().Sub(e.at) >= c.ttl {
		return attrs{}, false
	}
	return e.a, true
}

func (c *attrCache) put(key string, a attrs) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxAttrEntries {
		for k, e := range c.m {
			if now.Sub(e.at) >= c.ttl || len(c.m) >= maxAttrEntries/2 {
				delete(c.m, k) // map order is random: a random half goes
			}
		}
	}
	c.m[key] = attrEntry{a: a, at: now}
}

// decideVariants decides action on res by who. The attributes of res that
// are not known (gatedKnown, privateKnown false) are tried both ways: when
// every way gives the same answer by the same rule, the attributes do not
// matter and settled is true. Otherwise d is the strictest answer: the
// first deny, so that a repository whose attributes cannot be read is
// served only if it would be whatever they are.
func decideVariants(pol Decider, who *hfgate.Principal, action hfgate.RepoAction, res policy.Resource, gatedKnown, privateKnown bool) (d policy.Decision, settled bool) {
	d = pol.Decide(who, action, res)
	settled = true
	strict := d
	for _, v := range [...]attrs{{true, false}, {false, true}, {true, true}} {
		if (gatedKnown && v.gated) || (privateKnown && v.private) {
			continue
		}
		r := res
		r.Gated, r.Private = r.Gated || v.gated, r.Private || v.private
		o := pol.Decide(who, action, r)
		if o.Allow != d.Allow || o.Rule != d.Rule {
			settled = false
			if strict.Allow && !o.Allow {
				strict = o
			}
		}
	}
	if settled {
		return d, true
	}
	return strict, false
}

// decideRepo decides action on the exchange's repository with its
// attributes: from the cache, from the Hub when the policy's answer
// depends on them, or the strictest answer when the Hub does not say.
func (x *exchange) decideRepo(ctx context.Context, action hfgate.RepoAction) policy.Decision {
	return x.p.decideRepo(ctx, x, x.rt.Type, x.rt.Repo, action, attrs{}, false, false)
}

// decideRepo is decideRepo for any repo of the exchange's caller, with the
// attributes already known (a search result's private flag).
func (p *Proxy) decideRepo(ctx context.Context, x *exchange, typ hfgate.RepoType, id hfgate.RepoID, action hfgate.RepoAction, known attrs, gatedKnown, privateKnown bool) policy.Decision {
	res := policy.Resource{Type: typ, ID: id, Gated: known.gated, Private: known.private}
	key := attrKey(typ, id)
	if a, ok := p.attrs.get(key); ok {
		res.Gated = known.gated || (!gatedKnown && a.gated)
		res.Private = known.private || (!privateKnown && a.private)
		return p.cfg.Policy.Decide(x.who, action, res)
	}
	d, settled := decideVariants(p.cfg.Policy, x.who, action, res, gatedKnown, privateKnown)
	if settled {
		return d
	}
	a, err := x.readAttrs(ctx, typ, id)
	if err != nil {
		p.cfg.Logger.LogAttrs(ctx, slogWarn, "proxy: repository attributes not read; deciding by the strictest rule",
			attrRequest(x), attrError(err))
		return d
	}
	res.Gated = known.gated || (!gatedKnown && a.gated)
	res.Private = known.private || (!privateKnown && a.private)
	return p.cfg.Policy.Decide(x.who, action, res)
}

// maxAttrRedirects bounds the renames followed to read attributes.
const maxAttrRedirects = 3

// readAttrs reads a repository's gated and private attributes from the
// Hub with the caller's upstream credential (following renames), once for
// all the caller's requests that want them at the same time, and caches
// them for every caller.
func (x *exchange) readAttrs(ctx context.Context, typ hfgate.RepoType, id hfgate.RepoID) (attrs, error) {
	key := attrKey(typ, id)
	v, err, _ := x.p.attrs.group.Do(key+"\x00"+x.who.Subject, func() (any, error) {
		a, err := x.fetchAttrs(ctx, typ, id)
		if err == nil {
			x.p.attrs.put(key, a)
		}
		return a, err
	})
	return v.(attrs), err
}

func (x *exchange) fetchAttrs(ctx context.Context, typ hfgate.RepoType, id hfgate.RepoID) (attrs, error) {
	ctx, cancel := context.WithTimeout(ctx, x.p.cfg.MetadataTimeout)
	defer cancel()
	path := hubroute.Route{Action: hubroute.RepoInfo, Type: typ, Repo: id}.EscapedPath()
	query := "expand=gated&expand=private"
	if typ == hfgate.RepoTypeSpace {
		query = "expand=private" // Spaces are never gated
	}
	for range maxAttrRedirects + 1 {
		resp, err := x.send(ctx, http.MethodGet, path, query, nil, nil)
		if err != nil {
			return attrs{}, err
		}
		body, err := x.readBody(resp)
		if err != nil {
			return attrs{}, err
		}
		if loc, ok := x.p.relativeLocation(resp); ok && isRedirect(resp.StatusCode) {
			path, query, _ = strings.Cut(loc, "?")
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return attrs{}, hfgate.Errorf(hfgate.ENOTFOUND, "the Hub answered %s for the repository's attributes", resp.Status)
		}
		var v struct {
			Gated   json.RawMessage `json:"gated"`
			Private bool            `json:"private"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return attrs{}, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the Hub's repository info is not valid JSON")
		}
		g := strings.TrimSpace(string(v.Gated))
		return attrs{gated: g != "" && g != "false" && g != "null", private: v.Private}, nil
	}
	return attrs{}, hfgate.Errorf(hfgate.EUNAVAILABLE, "the Hub redirected the repository's info too many times")
}
