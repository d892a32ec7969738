package gateway

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

//go:embed assets
var assets embed.FS

var pageNames = []string{"home", "account", "device", "error",
	"admin-overview", "admin-users", "admin-user", "admin-tokens", "admin-ci", "admin-audit", "admin-policy", "admin-cache"}

var (
	pagesOnce sync.Once
	pages     map[string]*template.Template
)

// pageFuncs are the functions the page templates may call: "count"
// writes a number with its noun, singular or plural ("1 user", "2 users").
var pageFuncs = template.FuncMap{"count": func(n any, one, many string) string {
	if s := fmt.Sprint(n); s != "1" {
		return s + " " + many
	}
	return "1 " + one
}}

// templates parses every page with the layout, once; a parse error is a
// bug the tests catch, so it panics.
func templates() map[string]*template.Template {
	pagesOnce.Do(func() {
		pages = map[string]*template.Template{}
		for _, name := range pageNames {
			files := []string{"assets/templates/layout.html", "assets/templates/" + name + ".html"}
			if strings.HasPrefix(name, "admin-") {
				files = append(files, "assets/templates/admin-parts.html") // the console's navigation and tables
			}
			pages[name] = template.Must(template.New(name).Funcs(pageFuncs).ParseFS(assets, files...))
		}
	})
	return pages
}

// pageData is what every page template gets.
type pageData struct {
	Title     string
	User      *hfgate.Principal // nil when signed out
	Admin     bool              // the user may use the admin console
	CSRF      string            // the session's CSRF token, for forms
	Providers []providerLink    // sign-in buttons
	PublicURL string
	Hub       string
	Data      any
}

type providerLink struct {
	Title, URL string
}

func (s *Server) pageData(r *http.Request, title string, data any) *pageData {
	p := &pageData{Title: title, PublicURL: s.cfg.PublicURL, Hub: s.cfg.Hub, Data: data}
	if u := hfgate.PrincipalFrom(r.Context()); !u.IsAnonymous() && u.Kind == hfgate.PrincipalUser {
		p.User, p.Admin = u, IsAdmin(s.cfg.Admins, u)
		if secret := s.auth.SessionSecret(r); secret != "" {
			p.CSRF = csrfToken(secret)
		}
	}
	returnTo := "/"
	if r.Method == http.MethodGet && webauth.SafePath(r.URL.RequestURI()) {
		returnTo = r.URL.RequestURI()
	}
	for _, pr := range s.cfg.Providers {
		title := firstNonEmpty(pr.Title, pr.OAuth.Name, pr.Name)
		p.Providers = append(p.Providers, providerLink{Title: title,
			URL: "/auth/oauth/authorize/" + pr.Name + "?return_to=" + urlQueryEscape(returnTo)})
	}
	return p
}

// render writes page name; it is rendered to a buffer first, so that a
// template error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, p *pageData) error {
	var buf bytes.Buffer
	if err := templates()[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "render page %s", name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// errorPage renders webauth's error pages in the gateway's layout.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, e webauth.ErrorPage) error {
	return s.render(w, e.Status, "error", s.pageData(r, e.Title, e))
}

// homeView is the start page's content: the repo its commands name.
type homeView struct{ Repo string }

// pageHome is the page a newcomer lands on: what the gateway is, how to
// get a token and how to point each tool at it, with this gateway's URL.
func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "home", s.pageData(r, "hfgate gateway", homeView{Repo: firstNonEmpty(s.cfg.ExampleRepo, "OWNER/NAME")}))
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}

// contentSecurityPolicy allows this origin's scripts and styles only,
// avatars from the Hub and the providers, and forms to the providers.
func (s *Server) contentSecurityPolicy() string {
	origins := []string{s.cfg.Hub}
	for _, p := range s.cfg.Providers {
		origins = append(origins, p.OAuth.Issuer)
	}
	return webauth.CSP(append(origins, "https://cdn-avatars.huggingface.co"), origins)
}
