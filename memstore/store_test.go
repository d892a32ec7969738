package memstore_test

import (
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/memstore"
	"github.com/hfgate/hfgate/storetest"
)

func TestCredentials(t *testing.T) {
	storetest.Credentials(t, func(*testing.T) hfgate.CredentialStore { return &memstore.Store{} })
}

func TestSessions(t *testing.T) {
	storetest.Sessions(t, func(_ *testing.T, now func() time.Time) hfgate.SessionStore {
		return &memstore.Store{Now: now}
	})
}

func TestAudit(t *testing.T) {
	storetest.Audit(t, func(*testing.T) hfgate.AuditStore { return &memstore.Store{} })
}

func TestJTIs(t *testing.T) {
	storetest.JTIs(t, func(*testing.T) hfgate.JTIStore { return &memstore.Store{} })
}
