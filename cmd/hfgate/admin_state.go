package main

import (
	"context"
	"log/slog"

	"github.com/hfgate/hfgate/sqlstore"
)

// adminState opens the gateway's state for an admin command. needKeys
// refuses to open without the encryption keys.
func (a *app) adminState(ctx context.Context, needKeys bool) (*sqlstore.Store, error) {
	cfg, err := a.gatewayCfg()
	if err != nil {
		return nil, err
	}
	s, _, err := a.openGateway(ctx, cfg, needKeys, false, slog.New(slog.DiscardHandler))
	return s, err
}
