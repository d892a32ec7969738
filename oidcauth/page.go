package oidcauth

import (
	"html/template"
	"net/http"

	"github.com/hfgate/hfgate"
)

// page is what the loopback server shows the browser.
type page struct {
	Status  int
	Title   string
	Message string
}

var (
	pageSignedIn = page{http.StatusOK, "Signed in", "You can close this tab and return to the terminal."}
	pageForeign  = page{http.StatusBadRequest, "Sign-in not recognised",
		"This page does not belong to the sign-in running in your terminal. Return to the terminal and open the link it shows."}
	pageOver     = page{http.StatusGone, "Sign-in is over", "This sign-in has already finished. Return to the terminal."}
	pageNotFound = page{http.StatusNotFound, "Not found", "There is nothing here."}
	pageMethod   = page{http.StatusMethodNotAllowed, "Method not allowed", "Sign-in responses arrive as GET requests."}
)

// errorPage shows the user-safe message of err.
func errorPage(err error) page {
	return page{http.StatusBadRequest, "Sign-in failed", hfgate.ErrorMessage(err) + "."}
}

// pageTmpl is self-contained: no scripts, no external assets, nothing that
// would send the callback URL (which holds the code) anywhere in a Referer.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hfgate — {{.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f7f7f8;color:#1f2328}
main{max-width:32rem;padding:2rem;background:#fff;border:1px solid #d0d7de;border-radius:12px}
h1{font-size:1.4rem;margin:0 0 .5rem}
</style>
</head>
<body>
<main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
</main>
</body>
</html>
`))

// writePage writes p with headers that keep the page from being cached,
// framed or leaking its URL.
func writePage(w http.ResponseWriter, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(p.Status)
	pageTmpl.Execute(w, p) // a write error means the browser went away
}
