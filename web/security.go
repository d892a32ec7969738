package web

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// secureHeaders sets the headers every response carries.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows scripts, styles and connections to this
// origin only; images also from the Hub and the provider (avatars), and
// forms to this origin and the provider.
func (s *Server) contentSecurityPolicy() string {
	img := []string{"'self'", "data:"}
	form := []string{"'self'"}
	add := func(list []string, raw string) []string {
		if o := origin(raw); o != "" && !slices.Contains(list, o) {
			list = append(list, o)
		}
		return list
	}
	img = add(img, s.Endpoint)
	if s.OAuth != nil {
		img = add(img, s.OAuth.Issuer)
		form = add(form, s.OAuth.Issuer)
	}
	if u, err := url.Parse(s.Endpoint); err == nil && u.Hostname() == "huggingface.co" {
		img = add(img, "https://cdn-avatars.huggingface.co") // where HF serves avatars
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + strings.Join(img, " "),
		"connect-src 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"object-src 'none'",
		"form-action " + strings.Join(form, " "),
	}, "; ")
}

// origin returns scheme://host[:port] of an absolute URL, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// checkHost refuses requests addressed to another host name than the
// server's own. A web page on an attacker's domain that re-resolves to
// 127.0.0.1 (DNS rebinding) sends its own domain as Host and is refused. A
// "localhost" Host on the right port is sent to BaseURL, so that cookies
// and the OAuth redirect URI agree.
func (s *Server) checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Host, s.base.Host) {
			next.ServeHTTP(w, r)
			return
		}
		host, port, _ := net.SplitHostPort(r.Host)
		if strings.EqualFold(host, "localhost") && port == s.base.Port() && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			u := *s.base
			u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
			http.Redirect(w, r, u.String(), http.StatusTemporaryRedirect)
			return
		}
		s.fail(w, r, hfgate.Errorf(hfgate.EFORBIDDEN, "this server answers only on %s", s.base.Host))
	})
}

// secureCookies reports whether cookies get the Secure attribute: over
// https only, since a browser drops Secure cookies set over plain http on
// 127.0.0.1.
func (s *Server) secureCookies() bool { return s.base.Scheme == "https" }
