package oidcauth_test

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/hfgate/hfgate/oidcauth"
)

// A command-line sign-in with a loopback redirect, as "hfgate login" does
// it. The OAuth app must list http://127.0.0.1/callback as a redirect URI.
func Example_loopback() {
	ctx := context.Background()
	cfg := oidcauth.HuggingFace("") // https://huggingface.co
	cfg.ClientID = os.Getenv("HUGGINGFACE_CLIENT_ID")
	client, err := oidcauth.Open(ctx, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	lb, err := oidcauth.ListenLoopback(ctx, "/callback")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lb.Close()
	authURL, attempt, err := client.Begin(lb.RedirectURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Open this page to sign in:", authURL)
	callback, err := lb.Wait(ctx, attempt)
	if err != nil {
		fmt.Println(err)
		return
	}
	result, err := client.Exchange(ctx, attempt, callback)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Signed in as", result.User.Username)
	// Keep result.Credential(endpoint, hfgate.LocalSubject) in the credential store.
}

// Server-side routes of a web app. The Attempt stays on the server, keyed
// by an opaque session id; only the provider's redirect carries state.
func Example_webRoutes() {
	var client *oidcauth.Client                // from oidcauth.Open
	attempts := map[string]*oidcauth.Attempt{} // a session store in real code; guard it with a mutex
	const redirect = "http://127.0.0.1:8080/auth/oauth/callback/huggingface"

	http.HandleFunc("GET /auth/oauth/authorize/huggingface", func(w http.ResponseWriter, r *http.Request) {
		authURL, a, err := client.Begin(redirect)
		if err != nil {
			http.Error(w, "cannot start sign-in", http.StatusInternalServerError)
			return
		}
		attempts["session-id-from-cookie"] = a
		http.Redirect(w, r, authURL, http.StatusFound)
	})
	http.HandleFunc("GET /auth/oauth/callback/huggingface", func(w http.ResponseWriter, r *http.Request) {
		a := attempts["session-id-from-cookie"]
		delete(attempts, "session-id-from-cookie") // one use
		result, err := client.Exchange(r.Context(), a, r.URL.Query())
		if err != nil {
			http.Error(w, "sign-in failed", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "Hello %s", result.User.Username)
	})
}
