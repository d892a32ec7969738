package web

import (
	"net/url"

	"github.com/hfgate/hfgate/webauth"
)

// contentSecurityPolicy allows scripts, styles and connections to this
// origin only; images also from the Hub and the provider (avatars), and
// forms to this origin and the provider.
func (s *Server) contentSecurityPolicy() string {
	img, form := []string{s.Endpoint}, []string{}
	if s.OAuth != nil {
		img = append(img, s.OAuth.Issuer)
		form = append(form, s.OAuth.Issuer)
	}
	if u, err := url.Parse(s.Endpoint); err == nil && u.Hostname() == "huggingface.co" {
		img = append(img, "https://cdn-avatars.huggingface.co") // where HF serves avatars
	}
	return webauth.CSP(img, form)
}
