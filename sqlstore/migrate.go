package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the migrations of dialect name, by version.
func migrations(name string) ([]migration, error) {
	dir := path.Join("migrations", name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("no migrations for dialect %q", name)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: want NNNN_name.sql", e.Name())
		}
		text, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, e.Name(), string(text)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d", m.name, i+1)
		}
	}
	return out, nil
}

const createVersions = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	applied BIGINT NOT NULL
)`

// migrate applies the migrations the database lacks, one transaction
// each, while holding the dialect's migration lock.
func (s *Store) migrate(ctx context.Context) error {
	const what = "migrating the schema"
	all, err := migrations(s.d.Name)
	if err != nil {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "%s", what)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.fail(ctx, err, what)
	}
	defer conn.Close()
	if s.d.LockMigrations != nil {
		unlock, err := s.d.LockMigrations(ctx, conn)
		if err != nil {
			return s.fail(ctx, err, what)
		}
		defer unlock()
	}
	if _, err := conn.ExecContext(ctx, createVersions); err != nil {
		return s.fail(ctx, err, what)
	}
	for _, m := range all {
		if err := s.apply(ctx, conn, m, len(all)); err != nil {
			return err
		}
	}
	return nil
}

// apply runs migration m unless the database has it, checking inside the
// transaction, so that a process that waited for another's migration
// skips it.
func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration, known int) error {
	what := "applying migration " + m.name
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, err, what)
	}
	defer tx.Rollback()
	var newest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&newest); err != nil {
		return s.fail(ctx, err, what)
	}
	switch {
	case newest.Int64 > int64(known):
		return hfgate.Errorf(hfgate.EINVALID, "the database schema is at version %d, newer than this hfgate knows (%d): upgrade hfgate", newest.Int64, known)
	case newest.Int64 >= int64(m.version):
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return s.fail(ctx, err, what)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`),
		m.version, m.name, micros(s.now())); err != nil {
		return s.fail(ctx, err, what)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, err, what)
	}
	return nil
}

// SchemaVersion returns the schema version of the database and the one
// this Store knows.
func (s *Store) SchemaVersion(ctx context.Context) (have, want int, err error) {
	all, err := migrations(s.d.Name)
	if err != nil {
		return 0, 0, hfgate.WrapError(hfgate.EINTERNAL, err, "reading migrations")
	}
	var v sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, len(all), s.fail(ctx, err, "reading the schema version")
	}
	return int(v.Int64), len(all), nil
}
