package hubsim

import (
	"bytes"
	"crypto/sha1"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// registerAvatars adds GET /avatars/{file}, where the Hub serves the
// generated avatars that whoami-v2's avatarUrl ("/avatars/<hash>.svg") and
// the userinfo "picture" claim point to.
func (s *Server) registerAvatars(mux *http.ServeMux) {
	mux.HandleFunc("GET /avatars/{file}", s.handleAvatar)
}

// handleAvatar serves the avatar of a built-in user or org as an SVG: a
// circle in a colour of its own with the initial of the full name. The
// image is the same on every run. Unknown avatars are 404.
func (s *Server) handleAvatar(w http.ResponseWriter, r *http.Request) {
	name, full := s.ids.avatarOwner(r.URL.Path)
	if name == "" {
		writeHubError(w, r, http.StatusNotFound, "", "Not Found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	// An SVG opened on its own is a document: let it run nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(avatarSVG(name, full)))
}

// avatarOwner returns the handle and full name of the user or org whose
// AvatarURL is path, or "" for none.
func (ids *identities) avatarOwner(path string) (name, full string) {
	for _, u := range ids.users {
		if u.AvatarURL == path {
			return u.Name, u.FullName
		}
	}
	for _, o := range ids.orgs {
		if o.AvatarURL == path {
			return o.Name, o.FullName
		}
	}
	return "", ""
}

// avatarSVG draws a 64×64 avatar: a circle whose hue comes from the handle
// and the upper-case first letter of full (or of the handle), in white.
func avatarSVG(handle, full string) []byte {
	sum := sha1.Sum([]byte("avatar-colour:" + handle))
	hue := (int(sum[0])<<8 | int(sum[1])) % 360
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">`+
		`<circle cx="32" cy="32" r="32" fill="hsl(%d,55%%,45%%)"/>`+
		`<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="30" font-weight="700" fill="#fff">%s</text>`+
		"</svg>\n", hue, initial(full, handle))
}

// initial returns, upper-cased, the first character of the first of names
// that begins (after spaces) with a letter or digit, or "?".
func initial(names ...string) string {
	for _, n := range names {
		r, _ := utf8.DecodeRuneInString(strings.TrimSpace(n))
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return string(unicode.ToUpper(r))
		}
	}
	return "?"
}
