package main

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

func (a *app) adminUpstreamCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upstream",
		Short: "The Hugging Face tokens the gateway calls the Hub with: list them, set the team's",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	set := &cobra.Command{
		Use:   "set-token < token.txt",
		Short: "Read the team's Hugging Face token on standard input and keep it sealed",
		Long: `In upstream mode "service" ([hub] upstream = "service") the gateway calls the Hub
with one team token. This reads it from standard input (never from a flag, which
would end up in the shell's history), seals it with the current key and stores
it. Running gateways take the new token within half a minute; requests in flight
finish with the old one.`,
		Example: `  hfgate admin upstream set-token --config gateway.toml < team-token.txt`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			line, err := bufio.NewReader(a.io.In).ReadString('\n')
			tok := strings.TrimSpace(line)
			if tok == "" {
				return hfgate.WrapError(hfgate.EINVALID, err, "no token on standard input")
			}
			if len(tok) > 4096 || strings.ContainsAny(tok, " \t") {
				return hfgate.Errorf(hfgate.EINVALID, "standard input does not hold one token")
			}
			cfg, err := a.gatewayCfg()
			if err != nil {
				return err
			}
			s, err := a.adminState(cmd.Context(), true)
			if err != nil {
				return err
			}
			defer s.Close()
			hub := firstNonEmpty(cfg.Hub.Endpoint, a.env("HF_ENDPOINT"), "https://huggingface.co")
			if err := s.SaveCredential(cmd.Context(), &hfgate.Credential{Endpoint: hub, Subject: hfgate.ServiceSubject, AccessToken: tok}); err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.io.Out, "the team token for %s is stored, sealed\n", hub)
			return err
		},
	}
	cmd.AddCommand(set, a.adminUpstreamListCmd())
	return cmd
}

func (a *app) adminUpstreamListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the stored Hugging Face tokens, and check that each opens with the keys",
		Long: `List the upstream credentials the gateway keeps (each user's own in mode "user",
the team's in mode "service"): whose, until when, sealed with which key, and
whether it opens with the configured keys. Tokens are never shown.`,
		Example: `  hfgate admin upstream list --config gateway.toml
  hfgate admin upstream list --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.adminState(ctx, true)
			if err != nil {
				return err
			}
			defer s.Close()
			list, err := s.ListCredentials(ctx)
			if err != nil {
				return err
			}
			type row struct {
				Endpoint string    `json:"endpoint"`
				Subject  string    `json:"subject"`
				Username string    `json:"username,omitempty"`
				Expiry   time.Time `json:"expiry,omitzero"`
				KeyID    string    `json:"key_id"`
				Opens    bool      `json:"opens"`
				Problem  string    `json:"problem,omitempty"`
			}
			rows := []row{}
			broken := 0
			for _, c := range list {
				r := row{Endpoint: c.Endpoint, Subject: c.Subject, Username: c.Username, Expiry: c.Expiry, KeyID: c.KeyID, Opens: true}
				if _, err := s.LoadCredential(ctx, c.Endpoint, c.Subject); err != nil {
					r.Opens, r.Problem = false, hfgate.ErrorMessage(err)
					broken++
				}
				rows = append(rows, r)
			}
			if asJSON {
				err = writeJSON(a.io.Out, map[string]any{"credentials": rows})
			} else {
				t := newTable(a.io.Out, "SUBJECT", "USERNAME", "ENDPOINT", "KEY", "EXPIRES", "OPENS")
				for _, r := range rows {
					exp := "never"
					if !r.Expiry.IsZero() {
						exp = r.Expiry.Local().Format("2006-01-02 15:04")
					}
					opens := "yes"
					if !r.Opens {
						opens = "NO: " + r.Problem
					}
					t.Row(r.Subject, r.Username, r.Endpoint, r.KeyID, exp, opens)
				}
				err = t.Flush()
			}
			if err == nil && broken > 0 {
				err = hfgate.Errorf(hfgate.EINVALID, "%d stored credential(s) do not open with the configured keys", broken)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
