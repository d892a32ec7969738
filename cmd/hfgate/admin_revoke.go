package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate/gateway"
)

func (a *app) adminRevokeCmd() *cobra.Command {
	var (
		req    gateway.RevokeRequest
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "revoke (--token-id ID | --session ID | --user USER) [--reason TEXT]",
		Short: "Revoke a token, end a session, or cut a user off (every replica at once)",
		Long: `Revoke one token (a device sign-in's token takes its whole sign-in: access and
refresh tokens), end one browser session, or end every session and token of a
user. Every gateway replica sharing the database refuses them at once (within a
second), also while this command runs beside it. The user may sign in again; to
keep someone out, remove them at the identity provider or deny them in the policy.`,
		Example: `  hfgate admin revoke --token-id tok_3fa9Kc01ZyQm2LwB
  hfgate admin revoke --user bob --reason "left the team"
  hfgate admin revoke --session 5c1e...9a --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.adminState(ctx, false)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := gateway.Revoke(ctx, s, req, "admin:cli", time.Now())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.io.Out, res)
			}
			_, err = fmt.Fprintf(a.io.Out, "revoked %d token(s), ended %d session(s)\n", res.Tokens, res.Sessions)
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.TokenID, "token-id", "", "the token's ID (tok_...)")
	fl.StringVar(&req.Session, "session", "", "the session's ID")
	fl.StringVar(&req.User, "user", "", "every session and token of this user (username or subject)")
	fl.StringVar(&req.Reason, "reason", "", "why, as the token's owner will see it")
	fl.BoolVar(&asJSON, "json", false, `print {"tokens":N,"sessions":N}`)
	cmd.MarkFlagsMutuallyExclusive("token-id", "session", "user")
	cmd.MarkFlagsOneRequired("token-id", "session", "user")
	return cmd
}
