package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/keyset"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// This file holds how serve and every admin command find the gateway's
// state, the same way: the config file (--config), the database
// (--database, HFGATE_DATABASE, [database] url, else a SQLite file under
// $XDG_DATA_HOME/hfgate) and the encryption keys (HFGATE_KEYS, [keys]
// file, else, for a SQLite database, a key file beside it).

// gatewayCfg reads the gateway's config file when --config names one,
// else returns an empty config (every default).
func (a *app) gatewayCfg() (*gatewayConfig, error) {
	if a.gatewayConfigFlag == "" {
		return new(gatewayConfig), nil
	}
	return loadGatewayConfig(a.gatewayConfigFlag)
}

// databaseURL returns where the gateway's state is.
func (a *app) databaseURL(cfg *gatewayConfig) string {
	if u := firstNonEmpty(a.databaseFlag, a.env("HFGATE_DATABASE"), cfg.Database.URL); u != "" {
		return u
	}
	return "sqlite:" + filepath.Join(a.xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share")), "hfgate", "gateway.db")
}

// sqlitePath returns the file of a sqlite: URL, or "" for another kind.
func sqlitePath(url string) string {
	if p, ok := strings.CutPrefix(url, "sqlite:"); ok {
		return strings.TrimPrefix(p, "//") // sqlite:///abs and sqlite:/abs alike
	}
	return ""
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// describeDB names a database URL for messages, without a password.
func describeDB(url string) string {
	if p := sqlitePath(url); p != "" {
		return "SQLite database " + p
	}
	return postgres.Describe(url)
}

// gatewayKeys returns the keys that seal upstream credentials. create
// makes a key file beside a SQLite database that has none (what serve does
// on a first start). Without keys it returns nil, nil: only what needs
// them (credentials) fails.
func (a *app) gatewayKeys(cfg *gatewayConfig, url string, create bool) (hfgate.Sealer, error) {
	if env := a.env("HFGATE_KEYS"); env != "" {
		k, err := keyset.Parse(env)
		if err != nil {
			return nil, hfgate.WrapError(hfgate.EINVALID, err, "HFGATE_KEYS")
		}
		return k, nil
	}
	file := cfg.Keys.File
	if file == "" {
		db := sqlitePath(url)
		if db == "" {
			return nil, nil // PostgreSQL: replicas must share keys, so they are never made here
		}
		file = filepath.Join(filepath.Dir(db), "keys")
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			if !create {
				return nil, nil
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
				return nil, hfgate.WrapError(hfgate.EINVALID, err, "cannot make the directory of %s", file)
			}
			line, err := keyset.Generate("k1")
			if err == nil {
				err = keyset.WriteFile(file, line)
			}
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(a.io.Err, "hfgate: made a new encryption key in %s (mode 0600); keep a copy: without it the stored Hugging Face tokens cannot be read\n", file)
		}
	}
	return keyset.ReadFile(file)
}

// openGateway opens the gateway's state as serve does, migrating its
// schema. needKeys refuses to open without encryption keys; create makes
// a key file beside a new SQLite database.
func (a *app) openGateway(ctx context.Context, cfg *gatewayConfig, needKeys, create bool, logger *slog.Logger) (*sqlstore.Store, string, error) {
	url := a.databaseURL(cfg)
	keys, err := a.gatewayKeys(cfg, url, create)
	if err != nil {
		return nil, url, err
	}
	if keys == nil && needKeys {
		return nil, url, hfgate.Errorf(hfgate.EINVALID,
			"no encryption keys for the Hugging Face tokens the gateway keeps: set [keys] file in the config or HFGATE_KEYS (lines id:base64-key; make one with \"hfgate admin keys generate\")")
	}
	o := sqlstore.Options{Logger: logger}
	if keys != nil {
		o.Sealer = keys
	}
	var s *sqlstore.Store
	switch {
	case sqlitePath(url) != "":
		s, err = sqlite.Open(ctx, sqlitePath(url), o)
	case isPostgres(url):
		s, err = postgres.Open(ctx, url, o)
	default:
		return nil, url, hfgate.Errorf(hfgate.EINVALID, "the database %q is neither sqlite:PATH nor postgres://...", redactURL(url))
	}
	return s, url, err
}

// redactURL drops what a URL says after its scheme's first 12 bytes when
// it may hold a password.
func redactURL(u string) string {
	if strings.Contains(u, "@") {
		if i := strings.Index(u, "://"); i >= 0 {
			return u[:i+3] + "..."
		}
		return "..."
	}
	return u
}
