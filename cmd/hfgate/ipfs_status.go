package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

// ipfsStatusOutput is the --json output of "hfgate ipfs status".
type ipfsStatusOutput struct {
	Running bool   `json:"running"`
	API     string `json:"api,omitempty"`    // the RPC API's base URL
	Source  string `json:"source,omitempty"` // --ipfs-api, IPFS_API or the api file read
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
}

func (a *app) ipfsStatusCmd(api *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Say whether an IPFS node is running, where, and its version",
		Long: `Find the IPFS node as the other ipfs commands do (--ipfs-api, IPFS_API, then
$IPFS_PATH/api) and ask its version. Exits with status 9 when no node is
running, so scripts can check before a long download with --ipfs.`,
		Example: `  hfgate ipfs status
  hfgate ipfs status --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, node, version, err := a.ipfsReady(cmd.Context(), *api)
			out := ipfsStatusOutput{Running: err == nil, Version: version}
			if node.URL != nil {
				out.API, out.Source = node.URL.String(), apiSource(node)
			}
			if err != nil {
				out.Error = hfgate.ErrorMessage(err)
			}
			switch {
			case asJSON:
				if jerr := writeJSON(a.io.Out, out); err == nil {
					err = jerr
				}
			case err == nil:
				fmt.Fprintf(a.io.Out, "IPFS node %s at %s (found in %s)\n", printable(version), out.API, out.Source)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
