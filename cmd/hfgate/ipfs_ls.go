package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

// ipfsLsOutput is the --json output of "hfgate ipfs ls".
type ipfsLsOutput struct {
	API      string      `json:"api,omitempty"` // the node asked whether each CID is still pinned
	Pins     []pinOutput `json:"pins"`
	Warnings []string    `json:"warnings"` // damaged cache entries and invalid records, skipped
}

func (a *app) ipfsLsCmd(api *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls [REPO]",
		Short: "List the model files hfgate pinned on IPFS, with their CIDs",
		Long: `List the files hfgate pinned on an IPFS node, from the records beside the cache
entries: repository, file, revision (commit), size, SHA-256 and CID. When a node
is running, PINNED says whether it still pins each CID ("no" after an
"ipfs pin rm" by hand, or on another node); with none, it shows "?". A file
removed from the cache since is marked "(not cached)": its pin stays until
"hfgate ipfs rm". The table shortens commits and hashes; --json prints them
in full.`,
		Example: `  hfgate ipfs ls
  hfgate ipfs ls Qwen/Qwen2.5-Coder-7B-Instruct-GGUF --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var repo hfgate.RepoID
			if len(args) == 1 {
				var err error
				if repo, err = hfgate.ParseRepoID(args[0]); err != nil {
					return err
				}
			}
			p, node, notChecked := a.ipfsNode(*api)
			if notChecked != nil && !errors.Is(notChecked, hfgate.ErrNoIPFSNode) {
				return notChecked
			}
			pins, warnings, err := p.List(cmd.Context(), repo)
			if err != nil {
				return err
			}
			out := ipfsLsOutput{Pins: []pinOutput{}, Warnings: []string{}}
			for i := range pins {
				out.Pins = append(out.Pins, newPinOutput(&pins[i]))
			}
			for _, w := range warnings {
				out.Warnings = append(out.Warnings, w.String())
			}
			if p.Node != nil && len(pins) > 0 {
				if notChecked = checkPinned(cmd.Context(), p.Node, out.Pins); notChecked == nil {
					out.API = node.URL.String()
				}
			}
			if notChecked != nil && len(pins) > 0 {
				fmt.Fprintf(a.io.Err, "hfgate: not checked whether the IPFS node still pins them: %s\n", printable(hfgate.ErrorMessage(notChecked)))
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			return printIPFSLs(a, &out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// checkPinned asks the node whether it still pins each CID. It stops at
// the first error, which it returns; the pins it did not ask about keep
// Pinned nil.
func checkPinned(ctx context.Context, node hfgate.IPFSNode, pins []pinOutput) error {
	for i := range pins {
		pinned, err := node.Pinned(ctx, pins[i].CID)
		if err != nil {
			return err
		}
		pins[i].Pinned = &pinned
	}
	return nil
}

func printIPFSLs(a *app, o *ipfsLsOutput) error {
	if len(o.Pins) == 0 {
		fmt.Fprintln(a.io.Out, "no files are pinned on IPFS; pin one with \"hfgate ipfs add REPO FILE\" or \"hfgate download REPO FILE --ipfs\"")
	} else {
		t := newTable(a.io.Out, "REPO", "FILE", "REVISION", "SIZE", "SHA256", "CID", "PINNED")
		for _, p := range o.Pins {
			file := p.File
			if p.Path == "" {
				file += " (not cached)"
			}
			pinned := "?"
			if p.Pinned != nil {
				pinned = map[bool]string{true: "yes", false: "no"}[*p.Pinned]
			}
			t.Row(string(p.Repo), file, p.Commit[:12], humanBytes(p.Size), p.SHA256[:12], p.CID, pinned)
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	for _, w := range o.Warnings {
		fmt.Fprintf(a.io.Err, "hfgate: skipped %s\n", w)
	}
	return nil
}
