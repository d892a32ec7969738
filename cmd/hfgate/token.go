package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

func (a *app) tokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token for scripts",
		Long: `Print the access token for the endpoint on standard output, renewing it first
when it expires within five minutes (with a lock, so that two processes never
spend one refresh token). Nothing else is printed on standard output.

When the provider no longer accepts the refresh token (it expired or was revoked),
token fails with exit status 3: run "hfgate login" again.`,
		Example: `  curl -H "Authorization: Bearer $(hfgate token)" https://huggingface.co/api/whoami-v2
  export HF_TOKEN=$(hfgate token)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cred, err := a.tokens().Credential(cmd.Context(), hfgate.LocalSubject)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.io.Out, cred.AccessToken)
			return err
		},
	}
}
