package web_test

import (
	"context"
	"log"
	"net"
	"net/http"

	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/oidcauth"
	"github.com/hfgate/hfgate/web"
)

// The web app on a loopback port, signing in with Hugging Face. The Hub
// client sends the stored token only for requests of a signed-in session.
func ExampleServer() {
	creds := &web.MemoryCredentials{} // cmd/hfgate uses the CLI's credential store
	const endpoint = "https://huggingface.co"
	hub := &hfhub.Client{Endpoint: endpoint, Token: func(ctx context.Context) (string, error) {
		if !web.UserCredentials(ctx) {
			return "", nil
		}
		cred, err := creds.Load(ctx, endpoint)
		if err != nil {
			return "", nil // not signed in
		}
		return cred.AccessToken, nil
	}}
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
		Credentials: creds,
		BaseURL:     "http://" + ln.Addr().String(),
	}
	log.Fatal(http.Serve(ln, srv.Handler()))
}
