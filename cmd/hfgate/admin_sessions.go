package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gateway"
)

func (a *app) adminSessionsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List the browser sessions of the gateway's users",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var (
		user   string
		asJSON bool
	)
	list := &cobra.Command{
		Use:   "list [--user USER] [--json]",
		Short: "List live sessions: everyone's, or one user's",
		Long: `List the live browser sessions. A session is named by its ID (the SHA-256 of its
cookie, never the cookie itself); end one with "hfgate admin revoke --session ID".`,
		Example: `  hfgate admin sessions list
  hfgate admin sessions list --user alice --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.adminState(ctx, false)
			if err != nil {
				return err
			}
			defer s.Close()
			var accounts []*hfgate.Account
			if user != "" {
				acct, err := gateway.FindAccount(ctx, s, user)
				if err != nil {
					return err
				}
				accounts = []*hfgate.Account{acct}
			} else if accounts, err = s.ListAccounts(ctx); err != nil {
				return err
			}
			type row struct {
				ID       string    `json:"id"`
				Subject  string    `json:"subject"`
				Username string    `json:"username"`
				Created  time.Time `json:"created"`
				LastSeen time.Time `json:"last_seen"`
				Expires  time.Time `json:"expires"`
			}
			rows := []row{}
			for _, acct := range accounts {
				sessions, err := s.ListSessions(ctx, acct.ID)
				if err != nil {
					return err
				}
				for _, ss := range sessions {
					rows = append(rows, row{ss.ID, acct.ID, acct.Username, ss.Created, ss.LastSeen, ss.ExpiresAt()})
				}
			}
			if asJSON {
				return writeJSON(a.io.Out, map[string]any{"sessions": rows})
			}
			t := newTable(a.io.Out, "SESSION", "USER", "SIGNED IN", "LAST USED", "ENDS")
			now := time.Now()
			for _, r := range rows {
				t.Row(r.ID, r.Username, humanAge(r.Created, now), humanAge(r.LastSeen, now), r.Expires.Local().Format("2006-01-02 15:04"))
			}
			return t.Flush()
		},
	}
	list.Flags().StringVar(&user, "user", "", "only this user's (username or subject)")
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list)
	return cmd
}
