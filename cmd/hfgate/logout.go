package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

func (a *app) logoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Remove the credentials stored for the endpoint",
		Long: `Remove what "hfgate login" stored for the endpoint: the OS keyring entry and the
entry in the fallback file, and say what was removed. HF_TOKEN and the token file
of the official "hf auth login" are never touched; if they still sign you in,
logout says so.`,
		Example: `  hfgate logout
  hfgate logout --endpoint http://127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.logout(cmd.Context())
		},
	}
}

func (a *app) logout(ctx context.Context) error {
	endpoint, err := hfgate.NormalizeEndpoint(a.endpoint())
	if err != nil {
		return err
	}
	r, err := a.credStore().Delete(ctx, endpoint, hfgate.LocalSubject)
	for _, what := range r.Removed {
		fmt.Fprintf(a.io.Out, "Removed the %s\n", what)
	}
	if err != nil {
		return fmt.Errorf("remove credentials: %w", err)
	}
	if len(r.Removed) == 0 {
		fmt.Fprintf(a.io.Out, "Nothing was stored for %s\n", endpoint)
	}
	for _, what := range r.Remaining {
		fmt.Fprintf(a.io.Out, "Note: %s\n", what)
	}
	if r.OfficialTokenFile != "" {
		fmt.Fprintf(a.io.Out, "Note: %s (written by `hf auth login`) still signs you in to %s; run `hf auth logout` to remove it\n",
			r.OfficialTokenFile, endpoint)
	}
	return nil
}
