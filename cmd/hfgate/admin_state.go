package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/sqlstore"
)

// adminState opens the gateway's state for an admin command. needKeys
// refuses to open without the encryption keys.
func (a *app) adminState(ctx context.Context, needKeys bool) (*sqlstore.Store, error) {
	cfg, err := a.gatewayCfg()
	if err != nil {
		return nil, err
	}
	// An admin command never makes a database: a wrong path is a mistake.
	if path := sqlitePath(a.databaseURL(cfg)); path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, hfgate.Errorf(hfgate.ENOTFOUND, "there is no gateway database at %s (hfgate serve makes it on its first start): check --database or --config", path)
		}
	}
	s, _, err := a.openGateway(ctx, cfg, needKeys, false, slog.New(slog.DiscardHandler))
	return s, err
}
