package hubsim

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
)

// scopeText describes scopes on the consent page (hub-docs oauth.md).
var scopeText = map[string]string{
	"openid":            "Sign you in (OpenID Connect)",
	"profile":           "Read your profile: username, name, avatar",
	"email":             "Read your email address",
	"read-billing":      "Know whether you have a payment method",
	"read-memberships":  "Read which organizations you belong to and your role",
	"read-repos":        "Read your personal repos",
	"gated-repos":       "Read public gated repos you were granted",
	"contribute-repos":  "Create repos and access repos created by this app",
	"write-repos":       "Read and write your personal repos",
	"manage-repos":      "Manage your personal repos, including create and delete",
	"inference-api":     "Call Inference Providers on your behalf",
	"write-discussions": "Open discussions and pull requests",
}

const pageHead = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}} – hubsim</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}
fieldset{border:1px solid #ddd;border-radius:8px;margin:1rem 0}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}
.err{color:#a00}code{background:#f4f4f4;padding:0 .2rem}</style></head><body>
<p><strong>hubsim</strong> — a simulated Hugging Face Hub</p>`

var pages = template.Must(template.New("consent").Parse(pageHead + `
<h1>Authorize {{.App}}</h1>
{{if .UserCode}}<p>Device code <code id="user-code">{{.UserCode}}</code></p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="consent" value="{{.ConsentID}}">
<fieldset><legend>Sign in as</legend>
{{range .Users}}<label><input type="radio" name="user" value="{{.Name}}"{{if .Checked}} checked{{end}}> {{.Name}} ({{.FullName}})</label><br>{{end}}
</fieldset>
<fieldset><legend>{{.App}} asks to</legend><ul>
{{range .Scopes}}<li><code>{{.Name}}</code> {{.Text}}</li>{{end}}
</ul></fieldset>
{{if .Orgs}}<fieldset><legend>Grant access to organizations</legend>
{{range .Orgs}}<label><input type="checkbox" name="org" value="{{.Name}}"{{if .Required}} checked{{end}}> {{.FullName}} ({{.Name}}){{if .Required}} — required by the app{{end}}</label><br>{{end}}
</fieldset>{{end}}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>`))

var _ = template.Must(pages.New("error").Parse(pageHead + `
<h1>Sign-in error</h1><p class="err" id="error">{{.Message}}</p></body></html>`))

var _ = template.Must(pages.New("done").Parse(pageHead + `
<h1>{{.Title}}</h1><p id="result">{{.Message}}</p></body></html>`))

var _ = template.Must(pages.New("device").Parse(pageHead + `
<h1>Connect a device</h1>
{{if .Message}}<p class="err" id="error">{{.Message}}</p>{{end}}
<form method="get" action="/oauth/device">
<label>Enter the code shown on your device <input name="user_code" autocomplete="off" autofocus></label>
<button type="submit">Continue</button></form></body></html>`))

var _ = template.Must(pages.New("login").Parse(pageHead + `
<h1>Sign in to hubsim</h1>
<form method="post" action="/_hubsim/login">
<fieldset><legend>Sign in as</legend>
{{range $i, $u := .Users}}<label><input type="radio" name="user" value="{{$u.Name}}"{{if eq $i 0}} checked{{end}}> {{$u.Name}} ({{$u.FullName}})</label><br>{{end}}
</fieldset>
<label><input type="checkbox" name="autoApprove" value="true"> Approve apps at once</label><br>
<button type="submit">Sign in</button></form></body></html>`))

type consentData struct {
	Title, App, Action, ConsentID, UserCode string
	Users                                   []struct {
		Name, FullName string
		Checked        bool
	}
	Scopes []struct{ Name, Text string }
	Orgs   []struct {
		Name, FullName string
		Required       bool
	}
}

// renderConsent shows the consent page for c: pick a user (only c's user
// for a signed-in browser), see the scopes, tick orgs, Approve or Deny.
func (s *Server) renderConsent(w http.ResponseWriter, c *consent, app string, scopes, requiredOrgIDs []string, userCode string) {
	d := consentData{Title: "Authorize " + app, App: app, ConsentID: c.id, UserCode: userCode, Action: "/oauth/authorize"}
	if userCode != "" {
		d.Action = "/oauth/device/consent"
	}
	users := s.ids.activeUsers()
	if c.user != "" {
		users = []*User{s.ids.user(c.user)}
	}
	for i, u := range users {
		d.Users = append(d.Users, struct {
			Name, FullName string
			Checked        bool
		}{u.Name, u.FullName, i == 0})
	}
	for _, sc := range scopes {
		d.Scopes = append(d.Scopes, struct{ Name, Text string }{sc, scopeText[sc]})
	}
	for _, o := range s.ids.sortedOrgs() {
		d.Orgs = append(d.Orgs, struct {
			Name, FullName string
			Required       bool
		}{o.Name, o.FullName, slices.Contains(requiredOrgIDs, o.ID)})
	}
	writePage(w, http.StatusOK, "consent", d)
}

// writeErrorPage shows an error that cannot be sent back to the app.
func writeErrorPage(w http.ResponseWriter, status int, msg string) {
	writePage(w, status, "error", map[string]string{"Title": "Error", "Message": msg})
}

func writePage(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := pages.ExecuteTemplate(&b, name, data); err != nil {
		http.Error(w, "hubsim: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http: https:; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}
