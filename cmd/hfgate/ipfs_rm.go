package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

func (a *app) ipfsRmCmd(api *string) *cobra.Command {
	var rev string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "rm REPO FILE...",
		Short: "Unpin model files from the IPFS node and forget their CIDs",
		Long: `Remove the IPFS pin of each file and its record beside the cache entry. The
file stays in the Hugging Face cache; the node frees its blocks at its next
garbage collection ("ipfs repo gc"). When another repository's record names
the same CID (the same content), the node keeps the pin for it and only this
record is removed. A file no longer in the cache is found by its record; if it
was pinned at several commits, --revision names the one to remove.`,
		Example: `  hfgate ipfs rm Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
  hfgate ipfs rm hubsim/tiny-llama-GGUF tiny-llama-Q2_K.gguf --revision main --json`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := hfgate.ParseRepoID(args[0])
			if err != nil {
				return err
			}
			p, _, _, err := a.ipfsReady(cmd.Context(), *api)
			if err != nil {
				return err
			}
			out := []pinOutput{}
			for _, file := range args[1:] {
				pin, err := p.Unpin(cmd.Context(), repo, rev, file)
				if err != nil {
					return err
				}
				out = append(out, newPinOutput(pin))
				if asJSON {
					continue
				}
				if pin.Kept {
					fmt.Fprintf(a.io.Out, "forgot %s of %s; %s stays pinned for another repository with the same file\n", pin.File, repo, pin.CID)
				} else {
					fmt.Fprintf(a.io.Out, "unpinned %s  %s/%s\n", pin.CID, repo, pin.File)
				}
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&rev, "revision", "", "branch, tag or commit id of the files (default main)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
