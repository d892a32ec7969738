package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/sqlstore"
)

// BusyTimeout is how long a statement waits for another process's write
// transaction before it fails as unavailable, in milliseconds.
const BusyTimeout = 10000

// Dialect is SQLite's sqlstore.Dialect.
var Dialect = &sqlstore.Dialect{
	Name:        "sqlite",
	Placeholder: func(int) string { return "?" },
	Unavailable: func(err error) bool {
		switch code(err) & 0xff { // the primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL:
			return true
		}
		return false
	},
	Duplicate: func(err error) bool {
		c := code(err)
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
}

// code returns the extended result code of a SQLite error, or 0.
func code(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

// Open opens (creating it when missing, with its directory) the SQLite
// database at path and returns it as a Store with an up-to-date schema.
// Errors are *hfgate.Error values: EINVALID for a path that cannot hold a
// database, EUNAVAILABLE when the file cannot be opened now.
func Open(ctx context.Context, path string, o sqlstore.Options) (*sqlstore.Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "the database path %s is not usable", path)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot make the directory of the database %s", abs)
	}
	// Create the file private before SQLite makes it with the umask's
	// mode; its -wal and -shm files take the same mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot open the database %s", abs)
	}
	f.Close()

	db, err := sql.Open("sqlite", dsn(abs))
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot open the database %s", abs)
	}
	s, err := sqlstore.New(ctx, db, Dialect, o)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", abs, err)
	}
	return s, nil
}

// dsn returns the data source name of the database file abs.
func dsn(abs string) string {
	q := url.Values{
		"_txlock":       {"immediate"},
		"_busy_timeout": {strconv.Itoa(BusyTimeout)},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"NORMAL"}, // durable in WAL mode but for the last commits on power loss
		"_foreign_keys": {"1"},
	}
	return "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + q.Encode()
}
