package main

import "github.com/spf13/cobra"

// adminCmd is the parent of the commands for a gateway's admins. Each
// subcommand reads the gateway's config file (--config) as serve does; the
// CLI's own config file is not read.
func (a *app) adminCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Administer an hfgate gateway (hfgate serve)",
		Long: `Commands for the admins of a gateway run by "hfgate serve". They read the
gateway's config file, given with --config, as serve does.`,
		Example: `  hfgate admin policy explain --config gateway.toml --user bob --repo Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF --action download`,
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
	cmd.AddCommand(a.adminPolicyCmd())
	return cmd
}
