package credstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
)

func ExampleStore() {
	dir, err := os.MkdirTemp("", "credstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	store := &credstore.Store{
		ConfigDir: dir,                               // normally $XDG_CONFIG_HOME/hfgate
		Keyring:   credstore.NoKeyring{},             // as on a server without a keyring
		Getenv:    func(string) string { return "" }, // no HF_TOKEN
		Notice: func(msg string) {
			fmt.Println("notice:", strings.Contains(msg, "no OS keyring available"))
		},
	}
	ctx := context.Background()
	const endpoint = "http://127.0.0.1:8080"

	src, err := store.Save(ctx, &hfgate.Credential{Endpoint: endpoint, Subject: hfgate.LocalSubject, AccessToken: "hf_oauth_example", Username: "alice"})
	if err != nil {
		panic(err)
	}
	fmt.Println("saved to", src)

	cred, src, err := store.Load(ctx, endpoint+"/", hfgate.LocalSubject)
	if err != nil {
		panic(err)
	}
	fmt.Println("loaded", cred.Username, "from", src)

	removal, err := store.Delete(ctx, endpoint, hfgate.LocalSubject)
	if err != nil {
		panic(err)
	}
	fmt.Println("removed", len(removal.Removed), "entry")

	_, _, err = store.Load(ctx, endpoint, hfgate.LocalSubject)
	fmt.Println(hfgate.ErrorMessage(err))
	// Output:
	// notice: true
	// saved to file
	// loaded alice from file
	// removed 1 entry
	// not signed in to http://127.0.0.1:8080 (OS keyring unavailable: disabled)
}

// The refresh protocol: lock, reload, refresh only if still needed, save,
// unlock. A second process waiting on the lock then finds a fresh token on
// reload and does not refresh (and so does not burn the rotated refresh
// token).
func ExampleStore_Lock() {
	dir, err := os.MkdirTemp("", "credstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	store := &credstore.Store{ConfigDir: dir, Keyring: credstore.NoKeyring{}, Getenv: func(string) string { return "" }}
	ctx := context.Background()
	const endpoint = "http://127.0.0.1:8080"
	now := time.Now()
	if _, err := store.Save(ctx, &hfgate.Credential{
		Endpoint: endpoint, Subject: hfgate.LocalSubject, AccessToken: "hf_oauth_old", RefreshToken: "refresh_1", Expiry: now.Add(-time.Minute),
	}); err != nil {
		panic(err)
	}
	// refresh stands in for the OAuth refresh-token grant, which rotates the refresh token.
	refresh := func(old *hfgate.Credential) *hfgate.Credential {
		fresh := *old
		fresh.AccessToken, fresh.RefreshToken, fresh.Expiry = "hf_oauth_new", "refresh_2", now.Add(8*time.Hour)
		return &fresh
	}

	for range 2 { // two callers in turn; only the first refreshes
		unlock, err := store.Lock(ctx, endpoint, hfgate.LocalSubject)
		if err != nil {
			panic(err)
		}
		cred, _, err := store.Load(ctx, endpoint, hfgate.LocalSubject)
		if err != nil {
			unlock()
			panic(err)
		}
		if cred.RefreshToken != "" && cred.Expired(now, time.Minute) {
			cred = refresh(cred)
			if _, err := store.Save(ctx, cred); err != nil {
				unlock()
				panic(err)
			}
			fmt.Println("refreshed")
		}
		unlock()
		fmt.Println("using", cred.AccessToken)
	}
	// Output:
	// refreshed
	// using hf_oauth_new
	// using hf_oauth_new
}
