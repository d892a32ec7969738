package credstore

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/storetest"
)

// The conformance suite of hfgate.CredentialStore, run against every store
// of this package.

func TestConformanceFileStore(t *testing.T) {
	storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore {
		return &FileStore{Path: filepath.Join(t.TempDir(), "config", FallbackFileName)}
	})
}

func TestConformanceKeyringStore(t *testing.T) {
	storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore {
		return &KeyringStore{Keyring: newMemKeyring(t), LockDir: t.TempDir()}
	})
}

// TestConformanceKeyringStoreReal runs the suite against the real OS
// keyring, each store under a service name of its own; see TestKeyringReal.
func TestConformanceKeyringStoreReal(t *testing.T) {
	if os.Getenv("HFGATE_TEST_KEYRING") != "1" {
		t.Skip("set HFGATE_TEST_KEYRING=1 to test the real OS keyring (as scripts/test does)")
	}
	storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore {
		service := "hfgate-test-" + rand.Text()
		t.Cleanup(func() { _ = keyring.DeleteAll(service) })
		return &KeyringStore{Keyring: SystemKeyring{}, Service: service, LockDir: t.TempDir()}
	})
}

// TestConformanceStore runs the suite against the layered Store, once over
// a keyring and once over the fallback file alone.
func TestConformanceStore(t *testing.T) {
	for name, kr := range map[string]func(testing.TB) Keyring{
		"keyring": func(tb testing.TB) Keyring { return newMemKeyring(tb) },
		"file":    func(testing.TB) Keyring { return NoKeyring{} },
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Credentials(t, func(t *testing.T) hfgate.CredentialStore {
				s, _ := newStore(t, kr(t), nil)
				return s
			})
		})
	}
}
