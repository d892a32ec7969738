package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

func (a *app) adminUsersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "List the gateway's users, or create one for scripts",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.adminUsersListCmd(), a.adminUsersCreateCmd(), a.adminUsersRefreshCmd())
	return cmd
}

func (a *app) adminUsersListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List everyone who signed in to the gateway (and users made for scripts)",
		Example: `  hfgate admin users list
  hfgate admin users list --json --database postgres://hfgate@db/hfgate`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.adminState(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.Close()
			list, err := s.ListAccounts(cmd.Context())
			if err != nil {
				return err
			}
			rows := gateway.UserRows(list)
			if asJSON {
				return writeJSON(a.io.Out, map[string]any{"users": rows})
			}
			t := newTable(a.io.Out, "USERNAME", "SUBJECT", "ORGS", "SIGNED UP", "STATUS")
			for _, r := range rows {
				var orgs []string
				for _, o := range r.Orgs {
					orgs = append(orgs, o.Name+":"+o.Role)
				}
				status := "active"
				if r.Disabled {
					status = "disabled"
				}
				t.Row(r.Username, r.Subject, strings.Join(orgs, ","), r.Created.Local().Format("2006-01-02"), status)
			}
			return t.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) adminUsersCreateCmd() *cobra.Command {
	var (
		name   string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "create USERNAME [--name FULL NAME] [--json]",
		Short: "Create a user of the gateway's own (local:USERNAME), for scripts and robots",
		Long: `Create a user that signs in with no identity provider: its subject is
local:USERNAME, and it gets personal tokens from "hfgate admin tokens create".
Creating one that exists already updates its name.`,
		Example: `  hfgate admin users create nightly-eval --name "Nightly evaluation"
  hfgate admin tokens create --user local:nightly-eval --name eval --ttl 720h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !validLocalName(args[0]) {
				return hfgate.Errorf(hfgate.EINVALID, "a username is letters, digits, '-', '_' and '.', at most 64")
			}
			s, err := a.adminState(cmd.Context(), false)
			if err != nil {
				return err
			}
			defer s.Close()
			u, err := s.SignIn(cmd.Context(), hfgate.Identity{Provider: "local", Sub: args[0]},
				&hfgate.Account{Username: args[0], Name: name}, time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, gateway.UserRows([]*hfgate.Account{u})[0])
			}
			_, err = fmt.Fprintf(a.io.Out, "user %s (%s)\n", u.Username, u.ID)
			return err
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "a display name")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the user as JSON")
	return cmd
}

func validLocalName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
