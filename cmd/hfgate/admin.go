package main

import "github.com/spf13/cobra"

// adminCmd is the parent of the commands for a gateway's admins. Each
// subcommand reads the gateway's config file (--config) as serve does; the
// CLI's own config file is not read.
func (a *app) adminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer an hfgate gateway (hfgate serve)",
		Long: `Commands for the admins of a gateway run by "hfgate serve". They find the
gateway's state as serve does: the config file (--config), the database
(--database, HFGATE_DATABASE, [database] url, else the default SQLite file) and
the encryption keys (HFGATE_KEYS, [keys] file, else the key file beside a SQLite
database). They work on the database directly, also while the gateway runs: every
replica refuses a revoked token or session at once. "admin cache" is the exception:
each replica's file cache is its own, so it asks a running replica (--gateway URL).`,
		Example: `  hfgate admin users list
  hfgate admin tokens create --user alice --name laptop-script --ttl 720h --json
  hfgate admin revoke --token-id tok_3fa9Kc01ZyQm2LwB
  hfgate admin sessions list --user bob --database postgres://hfgate@db/hfgate
  hfgate admin rotate-key --config gateway.toml
  hfgate admin audit --since 24h --user bob
  hfgate admin audit verify
  hfgate admin cache warm Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --gateway https://hf.example.com
  hfgate admin policy explain --config gateway.toml --user bob --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --action download`,
		// Runnable, so that an unknown subcommand is a usage error, not help.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(*cobra.Command, []string) error {
			a.started = true
			a.cfg = new(Config) // the CLI's config file is not the gateway's
			return nil
		},
	}
	cmd.PersistentFlags().StringVar(&a.gatewayConfigFlag, "config", "", "the gateway's config file (TOML), as given to hfgate serve")
	cmd.PersistentFlags().StringVar(&a.databaseFlag, "database", "", "the gateway's database, as given to hfgate serve: sqlite:PATH or postgres://... (env HFGATE_DATABASE)")
	cmd.AddCommand(a.adminPolicyCmd(), a.adminUsersCmd(), a.adminSessionsCmd(), a.adminTokensCmd(), a.adminRevokeCmd(),
		a.adminRotateKeyCmd(), a.adminKeysCmd(), a.adminUpstreamCmd(), a.adminAuditCmd(), a.adminCacheCmd())
	return cmd
}
