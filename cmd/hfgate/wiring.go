package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
)

// This file wires the library packages together for the subcommands: one
// place decides which Hub, which credentials and which cache a command uses.

// credStore returns the credential store: HF_TOKEN, then the OS keyring,
// then the 0600 file under the config directory, then `hf auth login`'s
// token file. Notices (such as "no keyring, using a file") go to stderr.
func (a *app) credStore() *credstore.Store {
	_, hfHome := hfcache.DirFromEnv(a.getenv)
	return &credstore.Store{
		ConfigDir: a.configDir(),
		HFHome:    hfHome,
		Getenv:    a.getenv,
		Notice:    func(msg string) { fmt.Fprintf(a.io.Err, "hfgate: %s\n", msg) },
	}
}

// accessToken returns the access token to send to the Hub for the current
// endpoint, refreshed first when it expires soon, or "" when not signed in.
// Hub commands never fail for want of a token: public repos work
// anonymously and the Hub's 401 says what is missing. A stored sign-in that
// can no longer be renewed is an error, though ("signed out: run hfgate
// login"): going anonymous would turn it into confusing gated or not-found
// errors.
func (a *app) accessToken(ctx context.Context) (string, error) {
	a.creds.mu.Lock() // one refresh per process; others wait for its result
	defer a.creds.mu.Unlock()
	// A token good for another minute is reused; Fresh renews it 5 minutes
	// ahead, so this only waits out a provider that was briefly down.
	if c := a.creds.cred; c != nil && !c.Expired(time.Now(), time.Minute) {
		return c.AccessToken, nil
	}
	cred, _, found, err := a.freshCredential(ctx)
	switch {
	case err != nil && !found && hfgate.ErrorCode(err) == hfgate.EUNAUTHORIZED:
		cred = &hfgate.Credential{} // not signed in: go anonymous
	case err != nil:
		return "", err
	}
	a.creds.cred = cred
	return cred.AccessToken, nil
}

// signedIn reports whether the Hub requests of this invocation carried a
// token.
func (a *app) signedIn() bool {
	a.creds.mu.Lock()
	defer a.creds.mu.Unlock()
	return a.creds.cred != nil && a.creds.cred.AccessToken != ""
}

// onlineHub returns the Hub client of a command that has nothing to work
// with but the Hub. With HF_HUB_OFFLINE set it fails at once, as
// huggingface_hub does, rather than make a request.
func (a *app) onlineHub(command string) (*hfhub.Client, error) {
	if _, offline := a.cache(); offline {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE,
			"HF_HUB_OFFLINE is set and \"hfgate %s\" needs the Hub: unset HF_HUB_OFFLINE, or see what is cached with \"hfgate cache ls\"", command)
	}
	return a.hubClient(), nil
}

// hubClient returns a Hub client for the current endpoint that sends the
// stored credentials.
func (a *app) hubClient() *hfhub.Client {
	return &hfhub.Client{
		Endpoint:  a.endpoint(),
		Token:     a.accessToken,
		UserAgent: "hfgate/" + version(),
	}
}

// hubClientWith returns a Hub client for endpoint that sends token: for
// checking a token before it is stored, or one already renewed.
func hubClientWith(endpoint, token string) *hfhub.Client {
	return &hfhub.Client{
		Endpoint:  endpoint,
		Token:     func(context.Context) (string, error) { return token, nil },
		UserAgent: "hfgate/" + version(),
	}
}

// cache returns the Hugging Face hub cache ($HF_HUB_CACHE, else
// $HF_HOME/hub, else ~/.cache/huggingface/hub) and whether HF_HUB_OFFLINE
// is set.
func (a *app) cache() (c hfcache.Cache, offline bool) {
	dir, _ := hfcache.DirFromEnv(a.getenv)
	return hfcache.Cache{Dir: dir}, hfcache.OfflineFromEnv(a.getenv)
}
