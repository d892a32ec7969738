package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate/keyset"
)

func (a *app) adminRotateKeyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rotate-key [--json]",
		Short: "Seal every stored Hugging Face token again with the current key",
		Long: `Re-encrypt the upstream credentials the gateway keeps with the current key (the
first line of the key file, or of HFGATE_KEYS). To rotate: put a new key line
first ("hfgate admin keys generate"), keep the old one below it, restart the
gateway (or not: old values still open), run this, then remove the old line.
Each value changes in its own transaction, only if it was not renewed meanwhile,
so it is safe while the gateway runs and may be run again.`,
		Example: `  hfgate admin keys generate --id 2026-01 >> new-keys && cat keys >> new-keys && mv new-keys keys
  hfgate admin rotate-key --config gateway.toml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.adminState(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer s.Close()
			n, err := s.RotateKeys(cmd.Context())
			if err != nil {
				return err
			}
			use, err := s.KeyUse(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, map[string]any{"resealed": n, "by_key": use})
			}
			fmt.Fprintf(a.io.Out, "sealed %d credential(s) again\n", n)
			ids := make([]string, 0, len(use))
			for id := range use {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				fmt.Fprintf(a.io.Out, "  key %s: %d credential(s)\n", id, use[id])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"resealed":N,"by_key":{ID:N}}`)
	return cmd
}

func (a *app) adminKeysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Make encryption keys for the gateway",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var id string
	gen := &cobra.Command{
		Use:   "generate [--id ID]",
		Short: "Print a new random key as a key-file line (id:base64-key)",
		Example: `  hfgate admin keys generate --id 2026-01 > keys && chmod 600 keys
  export HFGATE_KEYS="$(hfgate admin keys generate)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := keyset.Generate(id)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.io.Out, line)
			return err
		},
	}
	gen.Flags().StringVar(&id, "id", "k1", "the key's ID (letters, digits, '.', '_', '-')")
	cmd.AddCommand(gen)
	return cmd
}
