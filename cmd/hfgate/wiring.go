package main

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/credstore"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/oidcauth"
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
		Notice:    func(msg string) { a.warn("%s", msg) },
	}
}

// commandCache is how long a command reuses the credential it read: for as
// long as it runs, so that a command making many Hub requests reads the
// keyring once, not per request.
const commandCache = 24 * time.Hour

// tokens returns the token source of the current endpoint over the stored
// credentials, made once per invocation. It renews an OAuth token that
// expires soon under the store's cross-process lock, so two hfgate
// processes never spend one refresh token, and reuses it for the rest of
// the command (cache: see commandCache; 0 for a long-running server, which
// must notice a sign-out made meanwhile).
func (a *app) tokens() *oidcauth.TokenSource {
	a.tokensOnce.Do(func() {
		store := a.credStore()
		// The "no keyring, stored in a file" notice was shown at login;
		// repeating it on every renewal would only clutter scripts' output.
		store.Notice = nil
		a.store = &sourceStore{Store: store}
		a.tokenSource = &oidcauth.TokenSource{
			Store:    a.store,
			Endpoint: a.endpoint(),
			Open:     a.openProvider,
			CacheFor: commandCache,
		}
	})
	return a.tokenSource
}

// sourceStore is the credential store of a command, remembering where the
// last credential it loaded came from, for whoami.
type sourceStore struct {
	*credstore.Store
	mu     sync.Mutex
	source credstore.Source
}

// LoadCredential implements hfgate.CredentialStore and records the source.
func (s *sourceStore) LoadCredential(ctx context.Context, endpoint, subject string) (*hfgate.Credential, error) {
	cred, src, err := s.Load(ctx, endpoint, subject)
	if err == nil {
		s.mu.Lock()
		s.source = src
		s.mu.Unlock()
	}
	return cred, err
}

// lastSource returns the source of the last credential loaded.
func (s *sourceStore) lastSource() credstore.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.source
}

// signedIn reports whether the Hub requests of this command send a token.
func (a *app) signedIn(ctx context.Context) bool {
	tok, err := a.tokens().Token(ctx)
	return err == nil && tok != ""
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
// stored credentials of the caller in the request's context (hfgate.Local
// for every command).
func (a *app) hubClient() *hfhub.Client {
	readTimeout, err := a.envSeconds("HF_HUB_ETAG_TIMEOUT")
	if err != nil {
		a.warn("%s; using %s", hfgate.ErrorMessage(err), hfhub.DefaultReadTimeout)
	}
	return &hfhub.Client{
		Endpoint:    a.endpoint(),
		Token:       a.tokens().Token,
		UserAgent:   "hfgate/" + version(),
		ReadTimeout: readTimeout,
		OnMalformed: func(entry, why string) {
			a.warn("left out a malformed entry of the Hub's answer: %s (%s)", entry, why)
		},
	}
}

// envSeconds reads a timeout in seconds from the environment, as
// huggingface_hub reads HF_HUB_DOWNLOAD_TIMEOUT and HF_HUB_ETAG_TIMEOUT: 0
// when unset.
func (a *app) envSeconds(name string) (time.Duration, error) {
	v := a.env(name)
	if v == "" {
		return 0, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs <= 0 || secs > 24*3600 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "%s=%q is not a number of seconds", name, v)
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// hubClientWith returns a Hub client for endpoint that sends token: for
// checking a token before it is stored.
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
