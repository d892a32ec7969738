package proxy

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
)

// passed are the headers of a Hub answer that reach the client as they
// are. Everything else stays behind: cookies, the Hub's CORS and request
// ids, every Xet header (X-Xet-Hash, X-Xet-Refresh-Route, X-Xet-Cas-Url,
// X-Xet-Access-Token, X-Xet-Token-Expiration), encodings and lengths of a
// body the proxy may have changed. Link, Location and X-Error-Message are
// passed rewritten.
var passed = canonical("Content-Type", "Cache-Control", "ETag", "Last-Modified", "X-Repo-Commit",
	"X-Error-Code", "Retry-After", "RateLimit", "RateLimit-Policy", "X-Total-Count")

func canonical(keys ...string) []string {
	for i, k := range keys {
		keys[i] = http.CanonicalHeaderKey(k)
	}
	return keys
}

// passHeaders copies the headers of a Hub answer that clients get into
// dst: those in passed, X-Error-Message made header-safe, and Link
// rewritten (rewriteLinks).
func (p *Proxy) passHeaders(dst, src http.Header) {
	for _, k := range passed {
		if vs := src[k]; len(vs) > 0 {
			dst[k] = append([]string(nil), vs...)
		}
	}
	if m := headerSafe(src.Get("X-Error-Message")); m != "" {
		dst.Set("X-Error-Message", m)
	}
	if links := p.rewriteLinks(src.Values("Link")); links != "" {
		dst.Set("Link", links)
	}
}

// rewriteLinks rewrites Link header values for the client: a link whose
// rel starts with "xet-" is dropped (reference §3: every client must take
// plain HTTP), a link to the Hub points at the same path on the gateway
// (pagination), and a link anywhere else is dropped.
func (p *Proxy) rewriteLinks(values []string) string {
	var out []string
	for _, v := range values {
		for _, l := range parseLinks(v) {
			if l.xet() {
				continue
			}
			if t, ok := p.gatewayURL(l.target); ok {
				out = append(out, "<"+t+">"+l.params)
			}
		}
	}
	return strings.Join(out, ", ")
}

// gatewayURL returns the gateway's URL for a URL of the Hub (absolute, or
// a path on its host), or ok false for a URL elsewhere.
func (p *Proxy) gatewayURL(target string) (string, bool) {
	u, err := url.Parse(target)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", false
	}
	if u.Host != "" && (!strings.EqualFold(u.Host, p.upstream.Host) || (u.Scheme != "" && u.Scheme != p.upstream.Scheme)) {
		return "", false
	}
	path, ok := p.trimUpstreamPrefix(u.EscapedPath())
	if !ok {
		return "", false
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	return p.public.String() + path, true
}

// link is one link-value of a Link header (RFC 8288): its target, its
// parameters as written (from just after the ">"), and its rel values.
type link struct {
	target, params string
	rels           []string
}

func (l link) xet() bool {
	for _, r := range l.rels {
		if len(r) >= 4 && strings.EqualFold(r[:4], "xet-") {
			return true
		}
	}
	return false
}

// parseLinks reads the link-values of one Link header value. It stops at
// the first malformed one.
func parseLinks(v string) []link {
	var out []link
	i := 0
	for i < len(v) {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == ',') {
			i++
		}
		if i == len(v) || v[i] != '<' {
			break
		}
		end := strings.IndexByte(v[i:], '>')
		if end < 0 {
			break
		}
		l := link{target: v[i+1 : i+end]}
		i += end + 1
		start, quoted := i, false
		for ; i < len(v); i++ {
			c := v[i]
			if quoted {
				if c == '\\' {
					i++
				} else if c == '"' {
					quoted = false
				}
				continue
			}
			if c == '"' {
				quoted = true
			} else if c == ',' {
				break
			}
		}
		l.params = strings.TrimRight(v[start:min(i, len(v))], " \t")
		l.rels = relsOf(l.params)
		out = append(out, l)
	}
	return out
}

// relsOf returns the rel values in the parameters of a link-value.
func relsOf(params string) []string {
	for _, p := range strings.Split(params, ";") {
		k, val, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		return strings.Fields(val)
	}
	return nil
}

// leaks reports whether secret appears in any value of h or in body: the
// upstream credential must never reach a client, even if the Hub echoed
// it. Secrets shorter than 8 bytes are not looked for.
func leaks(secret string, h http.Header, body []byte) bool {
	if len(secret) < 8 {
		return false
	}
	for _, vs := range h {
		for _, v := range vs {
			if strings.Contains(v, secret) {
				return true
			}
		}
	}
	return bytes.Contains(body, []byte(secret))
}
