package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"sync"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/webauth"
)

//go:embed assets
var assets embed.FS

// pageNames are the templates under assets/templates besides the layout.
var pageNames = []string{"search", "model", "downloads", "error", "signin-error", "setup"}

var (
	pagesOnce sync.Once
	pages     map[string]*template.Template
)

// templates parses every page with the layout, once. A parse error is a
// bug caught by the tests, so it panics.
func templates() map[string]*template.Template {
	pagesOnce.Do(func() {
		pages = map[string]*template.Template{}
		for _, name := range pageNames {
			pages[name] = template.Must(template.New(name).ParseFS(assets,
				"assets/templates/layout.html", "assets/templates/"+name+".html"))
		}
		pages["launch"] = template.Must(template.New("launch").ParseFS(assets, "assets/templates/launch.html"))
	})
	return pages
}

// pageData is what every page template gets. Pages hold nothing of the
// owner's (not even who is signed in): the page's script fetches that with
// the page's key (owner.go), which a replayed cookie does not bring.
type pageData struct {
	Title     string
	Page      string
	CanSignIn bool
	ReturnTo  string // this page, for "Connect Hugging Face"
	HubURL    string
	CacheDir  string
	Data      any
}

func (s *Server) pageData(r *http.Request, title string, data any) *pageData {
	p := &pageData{Title: title, CanSignIn: s.OAuth != nil, HubURL: s.Endpoint, CacheDir: s.CacheDir, Data: data, ReturnTo: "/"}
	if r.Method == http.MethodGet && webauth.SafePath(r.URL.RequestURI()) {
		p.ReturnTo = r.URL.RequestURI()
	}
	return p
}

// render writes page name with status. The page is rendered into a buffer
// first, so a template error never leaves half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *pageData) error {
	p.Page = name
	var buf bytes.Buffer
	if err := templates()[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "render page %s", name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// staticHandler serves assets/static.
func staticHandler() http.Handler {
	sub, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err)
	}
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		fsrv.ServeHTTP(w, r)
	})
}

func (s *Server) pageSearch(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "search", s.pageData(r, "Models", nil))
}

func (s *Server) pageModel(w http.ResponseWriter, r *http.Request) error {
	repo, err := hfgate.ParseRepoID(r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "model", s.pageData(r, string(repo), string(repo)))
}

func (s *Server) pageDownloads(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "downloads", s.pageData(r, "Downloads", nil))
}
