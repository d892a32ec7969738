package webauth

import (
	"net/url"
	"path"
	"strings"

	"github.com/hfgate/hfgate"
)

// maxReturnTo bounds return_to; a longer one is no page of this app.
const maxReturnTo = 2048

// maxForm bounds the body of the sign-in form: a return_to and an app's
// token.
const maxForm = 8 << 10

// ReturnTo checks return_to, where the browser goes after signing in:
// "" means "/"; anything but a path on this site is EINVALID. A browser
// reads "//host", "/\host" and "\\host" as another host, so these are
// refused, also percent-encoded (%2F, %5C) at any depth of decoding, as
// are schemes, control characters and the auth routes themselves.
func ReturnTo(raw string) (string, error) {
	if raw == "" {
		return "/", nil
	}
	if !SafePath(raw) {
		return "", hfgate.Errorf(hfgate.EINVALID,
			"return_to must be a path on this site, such as /models/org/name")
	}
	return raw, nil
}

// SafePath reports whether raw is a path on this site that a browser may be
// sent to after signing in (see ReturnTo).
func SafePath(raw string) bool {
	if len(raw) > maxReturnTo {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	s := raw
	for range 4 { // each decoding must be safe; four levels is plenty
		if !safeDecoded(s) {
			return false
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if d == s {
			// The auth routes would loop; path.Clean as http.Redirect does,
			// so /./auth/ is caught too.
			p := path.Clean(s)
			return p != "/auth" && !strings.HasPrefix(p, "/auth/")
		}
		s = d
	}
	return false
}

// safeDecoded checks one decoding of a return path.
func safeDecoded(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) {
			return false
		}
	}
	return true
}
