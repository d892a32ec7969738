package ciauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/hfgate/hfgate"
)

// Bounds of one fetch of a discovery document or key set.
const (
	fetchTimeout = 10 * time.Second
	maxFetchSize = 1 << 20
)

// keySet is one issuer's signing keys, fetched when first needed, again
// after KeysTTL, and again for a key id not seen yet at most once per
// RefetchInterval. Safe for concurrent use.
type keySet struct {
	issuer Issuer
	client *http.Client
	now    func() time.Time

	fetching sync.Mutex // held while fetching: one fetch at a time

	mu      sync.RWMutex
	jwksURL string // from discovery, once known
	keys    []jose.JSONWebKey
	fetched time.Time // of keys; zero before the first success
	tried   time.Time // the last fetch, successful or not
}

// key returns the key that verifies a token with header h, fetching the
// set when it is stale or lacks h's key id. A key id the issuer does not
// have is a Refusal; an issuer that cannot be reached EUNAVAILABLE.
func (k *keySet) key(ctx context.Context, h jose.Header) (*jose.JSONWebKey, error) {
	if key, fresh := k.find(h); key != nil && fresh {
		return key, nil
	}
	k.fetching.Lock()
	defer k.fetching.Unlock()
	key, fresh := k.find(h) // another caller may have fetched meanwhile
	if key != nil && fresh {
		return key, nil
	}
	// At most one fetch per RefetchInterval, whether the last one worked
	// or not: a flood of tokens naming an issuer that is down, or a key id
	// it does not have, must not become a flood of requests to it.
	k.mu.RLock()
	wait := k.tried.Add(RefetchInterval).After(k.now())
	never := k.fetched.IsZero()
	k.mu.RUnlock()
	switch {
	case !wait:
		if err := k.fetch(ctx); err != nil && key == nil {
			return nil, err
		}
		key, _ = k.find(h)
	case never:
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "the keys of CI issuer %s could not be fetched a moment ago; try again in %s", k.issuer.Name, RefetchInterval)
	}
	if key == nil {
		return nil, refuse(hfgate.EUNAUTHORIZED, &Refusal{Reason: ReasonSignature, Issuer: k.issuer.Name},
			"the token's signing key %s is not one of %s's keys", quote(h.KeyID), k.issuer.Name)
	}
	return key, nil
}

// find returns the cached key that can verify a token with header h
// (same key id when h has one, same algorithm when the key says one, a
// signing key), and whether the cache is fresh.
func (k *keySet) find(h jose.Header) (*jose.JSONWebKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	fresh := !k.fetched.IsZero() && k.now().Before(k.fetched.Add(KeysTTL))
	for i := range k.keys {
		key := &k.keys[i]
		switch {
		case h.KeyID != "" && key.KeyID != h.KeyID,
			key.Algorithm != "" && key.Algorithm != h.Algorithm,
			key.Use != "" && key.Use != "sig",
			!key.IsPublic():
			continue
		}
		return key, fresh
	}
	return nil, fresh
}

// fetch reads the issuer's key set (finding it by discovery first when
// needed) and keeps it. On failure the old keys stay.
func (k *keySet) fetch(ctx context.Context) error {
	k.mu.Lock()
	k.tried = k.now()
	jwksURL := k.jwksURL
	k.mu.Unlock()
	if jwksURL == "" {
		var meta struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := k.getJSON(ctx, strings.TrimSuffix(k.issuer.URL, "/")+"/.well-known/openid-configuration", &meta); err != nil {
			return err
		}
		// OpenID Connect Discovery 1.0 section 4.3: the document must be
		// the issuer's own.
		if meta.Issuer != k.issuer.URL {
			return hfgate.Errorf(hfgate.EUNAVAILABLE, "the discovery document of CI issuer %s names another issuer, %s", k.issuer.Name, quote(meta.Issuer))
		}
		if err := checkURL(meta.JWKSURI, "the jwks_uri of CI issuer "+k.issuer.Name); err != nil {
			return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "CI issuer %s publishes no usable key set address", k.issuer.Name)
		}
		jwksURL = meta.JWKSURI
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := k.getJSON(ctx, jwksURL, &set); err != nil {
		return err
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var key jose.JSONWebKey
		if err := key.UnmarshalJSON(raw); err == nil {
			keys = append(keys, key)
		} // a key of a type go-jose does not know cannot sign what we accept
	}
	k.mu.Lock()
	k.jwksURL, k.keys, k.fetched = jwksURL, keys, k.now()
	k.mu.Unlock()
	return nil
}

// getJSON GETs url into v, bounded in time and size. Every failure is
// EUNAVAILABLE: the job may try again, and the issuer's answer is not
// shown (it is the log's business).
func (k *keySet) getJSON(ctx context.Context, url string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	fail := func(err error) error {
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "the keys of CI issuer %s cannot be fetched now", k.issuer.Name)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("GET %s: %s", url, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchSize+1))
	switch {
	case err != nil:
		return fail(err)
	case len(body) > maxFetchSize:
		return fail(fmt.Errorf("GET %s: more than %d bytes", url, maxFetchSize))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fail(fmt.Errorf("GET %s: %w", url, err))
	}
	return nil
}
