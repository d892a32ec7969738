package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// backend opens Stores on one database of one kind; each Store is
// another process's handle on the same data.
type backend struct {
	name string
	try  func(o sqlstore.Options) (*sqlstore.Store, error)
}

// open opens a Store, closed when the test ends.
func (b backend) open(t *testing.T, o sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := b.try(o)
	if err != nil {
		t.Fatalf("open %s: %v", b.name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEach runs test once per kind of database, each on a fresh database.
// The PostgreSQL run skips (or fails, when it is required) without a
// server.
func forEach(t *testing.T, test func(t *testing.T, b backend)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "hfgate.db")
		test(t, backend{"sqlite", func(o sqlstore.Options) (*sqlstore.Store, error) {
			return sqlite.Open(context.Background(), path, o)
		}})
	})
	t.Run("postgres", func(t *testing.T) {
		url := postgrestest.URL(t)
		test(t, backend{"postgres", func(o sqlstore.Options) (*sqlstore.Store, error) {
			return postgres.Open(context.Background(), url, o)
		}})
	})
}

// keys returns a key set of new keys with these IDs, the first current.
func keys(t *testing.T, ids ...string) *keyset.Set {
	t.Helper()
	text := ""
	for _, id := range ids {
		line, err := keyset.Generate(id)
		if err != nil {
			t.Fatal(err)
		}
		text += line + "\n"
	}
	s, err := keyset.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// reorder returns a key set of the keys of a line set, with IDs in order.
func reorder(t *testing.T, lines map[string]string, ids ...string) *keyset.Set {
	t.Helper()
	text := ""
	for _, id := range ids {
		text += lines[id] + "\n"
	}
	s, err := keyset.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
