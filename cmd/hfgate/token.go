package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

func (a *app) tokenCmd() *cobra.Command {
	var f exchangeFlags
	cmd := &cobra.Command{
		Use:   "token [--exchange [--id-token-file FILE] [--resource REPO] [--json]]",
		Short: "Print a valid access token for scripts",
		Long: `Print the access token for the endpoint on standard output, renewing it first
when it expires within five minutes (with a lock, so that two processes never
spend one refresh token). Nothing else is printed on standard output.

When the provider no longer accepts the refresh token (it expired or was revoked),
token fails with exit status 3: run "hfgate login" again.

With --exchange, nothing stored is used: a CI job trades its provider's OpenID
Connect ID token for a short-lived token of an hfgate gateway (RFC 8693 token
exchange at ENDPOINT/oauth/token), so that no Hugging Face token is stored in
CI. The ID token comes from --id-token-file (- for standard input), else the
environment variable HFGATE_ID_TOKEN (GitLab: id_tokens with aud = the gateway),
else GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN
(the job needs "permissions: id-token: write"), requested with audience = the
endpoint. The gateway checks it against its trust rules and answers a token
good for 15 minutes by default, with no refresh token: exchange again for more.
--resource narrows the token to one repository. Exit status 3 when the gateway
refuses the ID token, 5 when no trust rule takes the job or the repository.`,
		Example: `  curl -H "Authorization: Bearer $(hfgate token)" https://huggingface.co/api/whoami-v2
  export HF_TOKEN=$(hfgate token)

  # in a GitHub Actions job (permissions: id-token: write), no secret stored:
  export HF_ENDPOINT=https://hf.example.com
  export HF_TOKEN=$(hfgate token --exchange)
  hfgate download acme/model
  hfgate token --exchange --resource acme/model --json   # {"access_token":...,"expires_in":900,...}
  hfgate token --exchange --id-token-file /run/secrets/ci-id-token`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.exchange {
				return a.exchangeToken(cmd.Context(), f)
			}
			if f.idTokenFile != "" || f.resource != "" || f.asJSON {
				return hfgate.Errorf(hfgate.EINVALID, "--id-token-file, --resource and --json go with --exchange")
			}
			cred, err := a.tokens().Credential(cmd.Context(), hfgate.LocalSubject)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(a.io.Out, cred.AccessToken)
			return err
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.exchange, "exchange", false, "trade this CI job's OIDC ID token for a gateway token (RFC 8693)")
	fl.StringVar(&f.idTokenFile, "id-token-file", "", "read the ID token from FILE (- for standard input) instead of the environment")
	fl.StringVar(&f.resource, "resource", "", "narrow the token to one repository: owner/name, datasets/owner/name or spaces/owner/name")
	fl.BoolVar(&f.asJSON, "json", false, "print the gateway's answer as JSON (access_token, expires_in, token_type)")
	return cmd
}
