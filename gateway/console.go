package gateway

import (
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/webauth"
)

// The admin console: pages under /admin for the admins the config names
// (Config.Admins), rendered with html/template in the gateway's layout,
// a little plain JavaScript (/static/admin.js) and the same strict CSP as
// every page. Every page and every admin API call passes adminOnly (403
// for anyone else); every form that changes state carries the session's
// CSRF token. Strings that came from peers (user agents, paths, claims)
// are cleaned of control characters before a page shows them, and
// html/template escapes everything.

// consoleRoutes registers the console's pages and forms.
func (s *Server) consoleRoutes(mux *http.ServeMux) {
	page := func(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
		return handle(s.errors.Write, func(w http.ResponseWriter, r *http.Request) error {
			if err := s.adminOnly(w, r); err != nil {
				return err
			}
			return fn(w, r)
		})
	}
	mux.Handle("GET /admin", page(s.consoleOverview))
	mux.Handle("GET /admin/{$}", page(s.consoleOverview))
	mux.Handle("GET /admin/users", page(s.consoleUsers))
	mux.Handle("GET /admin/users/{subject}", page(s.consoleUser))
	mux.Handle("GET /admin/tokens", page(s.consoleTokens))
	mux.Handle("POST /admin/revoke", page(s.consoleRevoke))
	mux.Handle("POST /admin/users/{subject}/refresh", page(s.consoleRefreshUser))
	mux.Handle("GET /admin/ci", page(s.consoleCI))
	mux.Handle("GET /admin/audit", page(s.consoleAudit))
	mux.Handle("GET /admin/policy", page(s.consolePolicy))
	mux.Handle("GET /admin/cache", page(s.consoleCache))
	mux.Handle("POST /admin/cache/warm", page(s.consoleCacheWarm))
	mux.Handle("POST /admin/cache/rm", page(s.consoleCacheEvict))
	mux.Handle("GET /admin/", page(func(http.ResponseWriter, *http.Request) error {
		return hfgate.Errorf(hfgate.ENOTFOUND, "the admin console has no such page")
	}))
}

// consoleAPIRoutes registers the console's JSON API, behind admin.
func (s *Server) consoleAPIRoutes(mux *http.ServeMux, admin func(func(http.ResponseWriter, *http.Request) error) http.Handler) {
	mux.Handle("GET /admin/api/audit", admin(s.apiAudit))
	mux.Handle("GET /admin/api/audit/export", admin(s.apiAuditExport))
	mux.Handle("GET /admin/api/audit/verify", admin(s.apiAuditVerify))
	mux.Handle("GET /admin/api/ci", admin(s.apiCI))
	mux.Handle("GET /admin/api/policy", admin(s.apiPolicy))
	mux.Handle("GET /admin/api/policy/explain", admin(s.apiExplain))
	mux.Handle("GET /admin/api/", admin(func(http.ResponseWriter, *http.Request) error {
		return hfgate.Errorf(hfgate.ENOTFOUND, "the admin API has no such endpoint")
	}))
}

// consolePage is what every console page gets: which section is open, and
// the page's own content.
type consolePage struct {
	Section string
	Content any
}

// renderConsole renders a console page in the layout, with its section
// marked in the console's navigation.
func (s *Server) renderConsole(w http.ResponseWriter, r *http.Request, name, title string, content any) error {
	section, _, _ := strings.Cut(strings.TrimPrefix(name, "admin-"), "-")
	return s.render(w, http.StatusOK, name, s.pageData(r, title+" · hfgate admin", consolePage{Section: section, Content: content}))
}

// clean makes a string that came from a peer fit to show: control and
// other invisible formatting characters become '?' (no terminal escape,
// no bidirectional override), and it is cut to max bytes with "...".
func clean(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "..."
	}
	s = strings.ToValidUTF8(s, "?")
	if !strings.ContainsFunc(s, hidden) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if hidden(r) {
			return '?'
		}
		return r
	}, s)
}

func hidden(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }

// when shows a time in UTC to the second, or "never".
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// auditLog is where the gateway records exchanges and admin actions; nil
// when it keeps none.
func (s *Server) auditLog() proxy.Recorder { return s.cfg.Proxy.Audit }

// writeJSON answers an admin API call.
func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Cache-Control", "no-store")
	webauth.WriteJSON(w, http.StatusOK, v)
	return nil
}
