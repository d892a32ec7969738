package web_test

import (
	"log"
	"net"
	"net/http"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/web"
)

// The web app on a loopback port, signing in with Hugging Face. The Hub
// client sends the stored token only for requests of a signed-in session:
// the app puts the session's principal in each request's context, and the
// token source hands out nothing for an anonymous one.
func ExampleServer() {
	store := &memstore.Store{} // cmd/hfgate uses the CLI's credential store
	const endpoint = "https://huggingface.co"
	tokens := &oidcauth.TokenSource{
		Store:    store,
		Endpoint: endpoint,
		Subject:  func(*hfgate.Principal) string { return hfgate.LocalSubject },
	}
	hub := &hfhub.Client{Endpoint: endpoint, Token: tokens.Token}
	oauth := oidcauth.HuggingFace(endpoint)
	oauth.ClientID = "your-oauth-app-id" // redirect URI http://127.0.0.1/auth/oauth/callback/huggingface

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &web.Server{
		Hub:         hub,
		Endpoint:    endpoint,
		OAuth:       &oauth,
		Credentials: store,
		Sessions:    &memstore.Store{},
		BaseURL:     "http://" + ln.Addr().String(),
	}
	log.Fatal(http.Serve(ln, srv.Handler()))
}
