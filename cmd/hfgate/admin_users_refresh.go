package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

func (a *app) adminUsersRefreshCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "refresh USER [--json]",
		Short: "Read a user's Hugging Face profile (orgs and roles) again, now",
		Long: `Read the profile of a user who signed in with Hugging Face again from Hugging
Face, with the token the gateway keeps for them (upstream mode "user"), and store
it: their new orgs and roles decide their next request on every replica at once.
The gateway does this by itself every [hub] userinfo_refresh (5 minutes) while the
person uses it; this is for a change that must count now (a member who left).

USER is a username or a subject. It needs the gateway's keys, as serve does, and
reaches Hugging Face (the config's [hub] endpoint and [huggingface] app).`,
		Example: `  hfgate admin users refresh bob
  hfgate admin users refresh huggingface:65143ef3dd20a04beca7a59e --json --config gateway.toml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			cfg, err := a.gatewayCfg()
			if err != nil {
				return err
			}
			s, err := a.adminState(ctx, true)
			if err != nil {
				return err
			}
			defer s.Close()
			acct, err := gateway.FindAccount(ctx, s, args[0])
			if err != nil {
				return err
			}
			hub := firstNonEmpty(cfg.Hub.Endpoint, a.env("HF_ENDPOINT"), "https://huggingface.co")
			// The gateway's own refresh, on this state: no listener.
			srv, err := gateway.New(gateway.Config{PublicURL: "http://127.0.0.1", Store: s, Hub: hub,
				Providers: cfg.providers(hub, a.env), Upstream: gateway.UpstreamMode(cfg.Hub.Upstream),
				UserinfoRefresh: -1, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				return err
			}
			defer srv.Close()
			n, err := srv.RefreshUser(ctx, acct.ID)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, gateway.UserRows([]*hfgate.Account{n})[0])
			}
			orgs := "no orgs"
			if len(n.Orgs) > 0 {
				orgs = "orgs " + printable(orgList(n.Orgs))
			}
			_, err = fmt.Fprintf(a.io.Out, "refreshed %s (%s): %s\n", printable(n.Username), n.ID, orgs)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the user as JSON")
	return cmd
}

// orgList names orgs with the role, "acme (write), other".
func orgList(orgs []hfgate.Org) string {
	out := ""
	for i, o := range orgs {
		if i > 0 {
			out += ", "
		}
		out += o.Name
		if o.Role != "" {
			out += " (" + o.Role + ")"
		}
	}
	return out
}
