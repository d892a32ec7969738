package oidcauth

import (
	"net/http"
	"net/url"
	"time"
)

// serveToken is the fake provider's token endpoint.
func (p *fakeProvider) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	form := r.PostForm
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hits[form.Get("grant_type")]++
	if !p.clientOK(r) {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	switch form.Get("grant_type") {
	case "authorization_code":
		code, verifier := form.Get("code"), form.Get("code_verifier")
		p.secrets = append(p.secrets, verifier)
		p.verifier = verifier
		g := p.codes[code]
		delete(p.codes, code) // single use
		if g == nil || g.challenge == "" || g.redirectURI != form.Get("redirect_uri") || s256(verifier) != g.challenge {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		p.issue(w, g, true, true)
	case "refresh_token":
		if p.refreshStatus != 0 {
			oauthError(w, p.refreshStatus, "server_error")
			return
		}
		rt := form.Get("refresh_token")
		g := p.refresh[rt]
		if g == nil {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		if !p.noRotate {
			delete(p.refresh, rt) // rotation: the old token stops working
		}
		p.issue(w, g, false, !p.noRotate)
	case "urn:ietf:params:oauth:grant-type:device_code":
		dc := form.Get("device_code")
		g := p.codes[dc]
		if g == nil || g.challenge != "" {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		if len(p.deviceScript) > 0 {
			e := p.deviceScript[0]
			p.deviceScript = p.deviceScript[1:]
			oauthError(w, http.StatusBadRequest, e)
			return
		}
		delete(p.codes, dc)
		p.issue(w, g, p.deviceIDToken, true)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
	}
}

// clientOK authenticates the client: HTTP Basic for a confidential client
// (RFC 6749 §2.3.1), client_id in the form and no secret for a public one.
func (p *fakeProvider) clientOK(r *http.Request) bool {
	user, pass, basic := r.BasicAuth()
	if p.clientSecret == "" {
		return !basic && r.PostForm.Get("client_id") == p.clientID
	}
	user, _ = url.QueryUnescape(user)
	pass, _ = url.QueryUnescape(pass)
	return basic && user == p.clientID && pass == p.clientSecret
}

// issue writes a token response for g. The caller holds p.mu.
func (p *fakeProvider) issue(w http.ResponseWriter, g *grant, withIDToken, withRefresh bool) {
	at := p.newSecret("at_")
	p.access[at] = g
	resp := map[string]any{"access_token": at, "token_type": "bearer", "expires_in": 3600, "scope": g.scope}
	if withRefresh {
		rt := p.newSecret("rt_")
		p.refresh[rt] = g
		resp["refresh_token"] = rt
	}
	if withIDToken {
		now := p.clock.Now()
		claims := map[string]any{
			"iss": p.srv.URL, "sub": aliceClaims()["sub"], "aud": p.clientID,
			"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"preferred_username": "alice",
		}
		if g.nonce != "" {
			claims["nonce"] = g.nonce
		}
		if p.editClaims != nil {
			p.editClaims(claims)
		}
		resp["id_token"] = p.mint(claims)
	}
	writeJSON(w, http.StatusOK, resp)
}
