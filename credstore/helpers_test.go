package credstore

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// fakeKeyring is a Keyring whose methods are function fields; a nil field
// fails the test that calls it.
type fakeKeyring struct {
	tb       testing.TB
	GetFn    func(service, user string) (string, error)
	SetFn    func(service, user, secret string) error
	DeleteFn func(service, user string) error
}

func (k *fakeKeyring) Get(_ context.Context, service, user string) (string, error) {
	if k.GetFn == nil {
		k.tb.Errorf("unexpected keyring Get(%q, %q)", service, user)
		return "", ErrNotFound
	}
	return k.GetFn(service, user)
}

func (k *fakeKeyring) Set(_ context.Context, service, user, secret string) error {
	if k.SetFn == nil {
		k.tb.Errorf("unexpected keyring Set(%q, %q)", service, user)
		return errors.New("unexpected Set")
	}
	return k.SetFn(service, user, secret)
}

func (k *fakeKeyring) Delete(_ context.Context, service, user string) error {
	if k.DeleteFn == nil {
		k.tb.Errorf("unexpected keyring Delete(%q, %q)", service, user)
		return errors.New("unexpected Delete")
	}
	return k.DeleteFn(service, user)
}

// memKeyring is a working in-memory keyring; entries maps "service/user" to
// the secret and may be read and written by the test.
type memKeyring struct {
	fakeKeyring
	mu      sync.Mutex
	entries map[string]string
}

func newMemKeyring(tb testing.TB) *memKeyring {
	k := &memKeyring{entries: map[string]string{}}
	k.tb = tb
	k.GetFn = func(service, user string) (string, error) {
		k.mu.Lock()
		defer k.mu.Unlock()
		s, ok := k.entries[service+"/"+user]
		if !ok {
			return "", ErrNotFound
		}
		return s, nil
	}
	k.SetFn = func(service, user, secret string) error {
		k.mu.Lock()
		defer k.mu.Unlock()
		k.entries[service+"/"+user] = secret
		return nil
	}
	k.DeleteFn = func(service, user string) error {
		k.mu.Lock()
		defer k.mu.Unlock()
		if _, ok := k.entries[service+"/"+user]; !ok {
			return ErrNotFound
		}
		delete(k.entries, service+"/"+user)
		return nil
	}
	return k
}

// put stores cred as the keyring record for its endpoint.
func (k *memKeyring) put(tb testing.TB, cred *hfgate.Credential) {
	tb.Helper()
	data, err := json.Marshal(cred)
	if err != nil {
		tb.Fatal(err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.entries[KeyringService+"/"+cred.Endpoint] = string(data)
}

// unavailableKeyring fails every call the way go-keyring does without D-Bus.
func unavailableKeyring(tb testing.TB) *fakeKeyring {
	err := func(op string) error {
		return &UnavailableError{Op: op, Reason: "cannot connect to the D-Bus session bus", Err: errors.New("dial unix /nonexistent")}
	}
	return &fakeKeyring{
		tb:       tb,
		GetFn:    func(string, string) (string, error) { return "", err("get") },
		SetFn:    func(string, string, string) error { return err("set") },
		DeleteFn: func(string, string) error { return err("delete") },
	}
}

// notices records what a Store tells the user.
type notices struct {
	mu   sync.Mutex
	msgs []string
}

func (n *notices) add(msg string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.msgs = append(n.msgs, msg)
}

func (n *notices) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.msgs...)
}

// newStore returns a Store on fresh temporary directories (the config
// directory does not exist yet), the given keyring and environment, and the
// notices it emits.
func newStore(tb testing.TB, kr Keyring, env map[string]string) (*Store, *notices) {
	tb.Helper()
	root := tb.TempDir()
	n := new(notices)
	return &Store{
		ConfigDir: filepath.Join(root, "config", "hfgate"),
		HFHome:    filepath.Join(root, "hf"),
		Getenv:    func(key string) string { return env[key] },
		Keyring:   kr,
		Notice:    n.add,
	}, n
}

// writeFallback writes entries as the fallback file with the given mode.
func writeFallback(tb testing.TB, s *Store, mode os.FileMode, entries map[string]*hfgate.Credential) {
	tb.Helper()
	data, err := json.Marshal(entries)
	if err != nil {
		tb.Fatal(err)
	}
	writeFileMode(tb, s.filePath(), mode, data)
}

// writeHFToken writes the official token file, as `hf auth login` does.
func writeHFToken(tb testing.TB, s *Store, content string) {
	tb.Helper()
	writeFileMode(tb, s.HFTokenPath(), 0o600, []byte(content))
}

func writeFileMode(tb testing.TB, path string, mode os.FileMode, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is subject to umask
		tb.Fatal(err)
	}
}

// local is the subject of the command line's credentials, which most tests
// use.
const local = hfgate.LocalSubject

// oauthCred returns a complete OAuth credential of the local subject for
// endpoint.
func oauthCred(endpoint, access, refresh string) *hfgate.Credential {
	return &hfgate.Credential{
		Endpoint:     endpoint,
		Subject:      local,
		Issuer:       endpoint,
		ClientID:     "client-1",
		AccessToken:  access,
		RefreshToken: refresh,
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		Scopes:       []string{"openid", "profile", "read-repos"},
		Username:     "alice",
	}
}

// assertCred fails unless got and want encode to the same JSON.
func assertCred(tb testing.TB, got, want *hfgate.Credential) {
	tb.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		tb.Fatalf("credential:\n got %s\nwant %s", g, w)
	}
}

// assertCode fails unless err is an *hfgate.Error with the given code.
func assertCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := hfgate.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}
