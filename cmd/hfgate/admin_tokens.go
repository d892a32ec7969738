package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

func (a *app) adminTokensCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tokens",
		Short: "List gateway tokens, or create a personal token for a user",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.adminTokensListCmd(), a.adminTokensCreateCmd())
	return cmd
}

func (a *app) adminTokensListCmd() *cobra.Command {
	var (
		user        string
		all, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "list [--user USER] [--all] [--json]",
		Short: "List live tokens (with --all also revoked, expired and spent ones)",
		Long: `List gateway tokens by ID: access and refresh tokens of device sign-ins (a
family each), personal tokens and CI tokens. Secrets are never stored, so never
shown; revoke a token with "hfgate admin revoke --token-id ID".`,
		Example: `  hfgate admin tokens list
  hfgate admin tokens list --user alice --all --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.adminState(ctx, false)
			if err != nil {
				return err
			}
			defer s.Close()
			q := hfgate.TokenQuery{Ended: all}
			if user != "" {
				acct, err := gateway.FindAccount(ctx, s, user)
				if err != nil {
					return err
				}
				q.Subject = acct.ID
			}
			list, err := s.ListTokens(ctx, q)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, map[string]any{"tokens": gateway.TokenRows(list)})
			}
			t := newTable(a.io.Out, "ID", "KIND", "OWNER", "NAME", "CREATED", "EXPIRES", "STATE")
			now := time.Now()
			for _, tok := range list {
				state := "live"
				switch {
				case !tok.Revoked.IsZero():
					state = "revoked"
				case !tok.Spent.IsZero():
					state = "spent"
				case !now.Before(tok.Expires):
					state = "expired"
				}
				t.Row(tok.ID, string(tok.Kind), tok.Subject, firstNonEmpty(tok.Name, tok.ClientID), humanAge(tok.Created, now),
					tok.Expires.Local().Format("2006-01-02 15:04"), state)
			}
			return t.Flush()
		},
	}
	cmd.Flags().StringVar(&user, "user", "", "only this user's (username or subject)")
	cmd.Flags().BoolVar(&all, "all", false, "also tokens that are revoked, expired or spent")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) adminTokensCreateCmd() *cobra.Command {
	var (
		user, name string
		ttl        time.Duration
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "create --user USER --name NAME [--ttl DURATION] [--json]",
		Short: "Create a personal token for a user and print it, once",
		Long: `Create a personal gateway token (hf_ and 40 letters and digits) for a user who
has signed in (or was made with "hfgate admin users create"), and print it. It is
shown only now: the gateway keeps its hash. With --json it prints
{"id": ..., "token": ...}.`,
		Example: `  hfgate admin tokens create --user alice --name laptop-script --ttl 720h
  HF_TOKEN=$(hfgate admin tokens create --user local:nightly-eval --name eval --json | jq -r .token)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if user == "" || name == "" {
				return hfgate.Errorf(hfgate.EINVALID, "--user and --name are required")
			}
			if ttl <= 0 || ttl > gateway.MaxPersonalTTL {
				return hfgate.Errorf(hfgate.EINVALID, "--ttl must be more than 0 and at most %s", gateway.MaxPersonalTTL)
			}
			ctx := cmd.Context()
			s, err := a.adminState(ctx, false)
			if err != nil {
				return err
			}
			defer s.Close()
			acct, err := gateway.FindAccount(ctx, s, user)
			if err != nil {
				return err
			}
			secret, id, hash := hfgate.NewTokenSecret()
			now := time.Now()
			tok := &hfgate.Token{ID: id, Hash: hash, Kind: hfgate.TokenPersonal, Subject: acct.ID, Name: name, Created: now, Expires: now.Add(ttl)}
			if err := s.CreateTokens(ctx, tok); err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, map[string]string{"id": id, "token": secret})
			}
			fmt.Fprintf(a.io.Err, "personal token %s for %s, until %s; it is shown only now:\n", id, acct.Username, tok.Expires.Local().Format("2006-01-02 15:04"))
			_, err = fmt.Fprintln(a.io.Out, secret)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&user, "user", "", "whose token: username or subject")
	fl.StringVar(&name, "name", "", "what the token is for, as its owner will see it")
	fl.DurationVar(&ttl, "ttl", gateway.DefaultPersonalTTL, "how long it lasts")
	fl.BoolVar(&asJSON, "json", false, `print {"id":...,"token":...}`)
	return cmd
}
