package web

import (
	"context"
	"sync"

	"github.com/hfgate/hfgate"
)

// CredentialStore keeps one credential per Hub endpoint. cmd/hfgate adapts
// credstore.Store, the store every hfgate command reads; MemoryCredentials
// keeps them in memory (for the demo and tests).
type CredentialStore interface {
	// Load returns the credential for endpoint, or an *hfgate.Error with
	// code EUNAUTHORIZED when there is none.
	Load(ctx context.Context, endpoint string) (*hfgate.Credential, error)
	// Save stores cred under cred.Endpoint, replacing what was there.
	Save(ctx context.Context, cred *hfgate.Credential) error
	// Delete removes endpoint's credential; none is no error.
	Delete(ctx context.Context, endpoint string) error
}

// MemoryCredentials is a CredentialStore in memory. The zero value is
// empty and ready; it is safe for concurrent use.
type MemoryCredentials struct {
	mu    sync.Mutex
	creds map[string]hfgate.Credential
}

// Load implements CredentialStore.
func (m *MemoryCredentials) Load(_ context.Context, endpoint string) (*hfgate.Credential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.creds[endpoint]
	if !ok {
		return nil, hfgate.Errorf(hfgate.EUNAUTHORIZED, "not signed in to %s", endpoint)
	}
	return &c, nil
}

// Save implements CredentialStore.
func (m *MemoryCredentials) Save(_ context.Context, cred *hfgate.Credential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.creds == nil {
		m.creds = map[string]hfgate.Credential{}
	}
	m.creds[cred.Endpoint] = *cred
	return nil
}

// Delete implements CredentialStore.
func (m *MemoryCredentials) Delete(_ context.Context, endpoint string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.creds, endpoint)
	return nil
}

type credentialsKey struct{}

// WithUserCredentials marks ctx as belonging to a signed-in session: Hub
// calls made with it may send the stored token.
func WithUserCredentials(ctx context.Context) context.Context {
	return context.WithValue(ctx, credentialsKey{}, true)
}

// UserCredentials reports whether ctx belongs to a signed-in session. The
// Hub's Token function returns the stored token only then, so a request
// without a session is anonymous even though the server holds a token.
func UserCredentials(ctx context.Context) bool {
	ok, _ := ctx.Value(credentialsKey{}).(bool)
	return ok
}
