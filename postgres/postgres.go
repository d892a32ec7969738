package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/sqlstore"
)

// Pool sizes: enough for a busy replica, with room left in PostgreSQL's
// default max_connections (100) for several replicas.
const (
	maxOpen = 24
	maxIdle = 8
)

// listenTimeout bounds how long Open waits for its first LISTEN.
const listenTimeout = 30 * time.Second

// Open connects to the PostgreSQL database at url (a postgres:// URL or a
// key=value connection string) and returns it as a Store with an
// up-to-date schema, listening for revocations. Errors are
// *hfgate.Error values: EINVALID for a URL that does not parse,
// EUNAVAILABLE when the server cannot be reached. No error text contains
// the URL's password.
func Open(ctx context.Context, url string, o sqlstore.Options) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL; say only that it is wrong.
		return nil, hfgate.Errorf(hfgate.EINVALID, "the PostgreSQL URL does not parse (postgres://user@host:port/database)")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxIdle)
	db.SetConnMaxLifetime(30 * time.Minute)

	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		db.Close()
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot reach PostgreSQL at %s:%d", cfg.Host, cfg.Port)
	}
	if !schema.Valid {
		db.Close()
		return nil, hfgate.Errorf(hfgate.EINVALID, "the schema the PostgreSQL URL chooses (search_path) does not exist")
	}
	ready := make(chan struct{})
	d := dialect(cfg, schema.String, o, ready)
	s, err := sqlstore.New(ctx, db, d, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, listenTimeout)
	defer cancel()
	select {
	case <-ready:
		return s, nil
	case <-wait.Done():
		s.Close()
		return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, wait.Err(), "cannot listen for revocations on PostgreSQL at %s:%d", cfg.Host, cfg.Port)
	}
}

// Channel returns the notification channel of revocations in schema.
func Channel(schema string) string {
	if schema == "" || schema == "public" {
		return "hfgate_revocations"
	}
	return "hfgate_revocations_" + schema
}

// unavailable reports whether err means the server cannot be reached or
// went away, rather than that a statement failed.
func unavailable(err error) bool {
	var (
		pe *pgconn.PgError
		ce *pgconn.ConnectError
		ne net.Error
	)
	switch {
	case errors.As(err, &pe):
		// Class 08: connection exceptions; 57P0x: the server is shutting
		// down or starting; 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	return false
}

func duplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Describe returns where url points, without its password, for messages.
func Describe(url string) string {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "PostgreSQL (a URL that does not parse)"
	}
	return fmt.Sprintf("PostgreSQL database %s on %s:%d", cfg.Database, cfg.Host, cfg.Port)
}
