package webauth

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
)

// Fail answers a request with an error, as Errors.Write does.
type Fail func(w http.ResponseWriter, r *http.Request, err error)

// Headers sets the security headers every response carries: csp as the
// Content-Security-Policy (see CSP), no MIME sniffing, no referrer, no
// framing, and a browsing context of its own.
func Headers(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// CSP returns a Content-Security-Policy that allows scripts, styles and
// connections from this origin only; images also from the origins of the
// URLs in img (avatars), and forms to the origins of the URLs in form (the
// sign-in provider). Nothing may frame the pages, and no plugin runs.
func CSP(img, form []string) string {
	list := func(base []string, urls []string) string {
		for _, raw := range urls {
			if o := Origin(raw); o != "" && !slices.Contains(base, o) {
				base = append(base, o)
			}
		}
		return strings.Join(base, " ")
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + list([]string{"'self'", "data:"}, img),
		"connect-src 'self'",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"object-src 'none'",
		"form-action " + list([]string{"'self'"}, form),
	}, "; ")
}

// Origin returns scheme://host[:port] of an absolute URL, or "".
func Origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// CrossOrigin refuses state-changing requests that come from another site
// (net/http's CrossOriginProtection: Sec-Fetch-Site, else Origin against
// Host), with an EFORBIDDEN error through fail.
func CrossOrigin(fail Fail, next http.Handler) http.Handler {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fail(w, r, hfgate.Errorf(hfgate.EFORBIDDEN,
			"this request came from another site and was refused: use hfgate's own pages"))
	}))
	return p.Handler(next)
}

// CheckHost refuses requests addressed to another host than base's, with
// an EFORBIDDEN error through fail. A web page on an attacker's domain that
// re-resolves to this server's address (DNS rebinding) sends its own
// domain as Host and is refused. A GET or HEAD for "localhost" on base's
// port is redirected to base, so that cookies and the OAuth redirect URI
// agree.
func CheckHost(base *url.URL, fail Fail, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Host, base.Host) {
			next.ServeHTTP(w, r)
			return
		}
		host, port, _ := net.SplitHostPort(r.Host)
		if strings.EqualFold(host, "localhost") && port == base.Port() && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			u := *base
			u.Path, u.RawPath, u.RawQuery = r.URL.Path, r.URL.RawPath, r.URL.RawQuery
			http.Redirect(w, r, u.String(), http.StatusTemporaryRedirect)
			return
		}
		fail(w, r, hfgate.Errorf(hfgate.EFORBIDDEN, "this server answers only on %s", base.Host))
	})
}
