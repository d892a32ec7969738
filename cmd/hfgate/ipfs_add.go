package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/ipfs"
)

// pinOutput is one pinned file in --json outputs of "ipfs add|ls|rm" and
// "download --ipfs".
type pinOutput struct {
	Repo          hfgate.RepoID `json:"repo"`
	File          string        `json:"file"`
	Commit        string        `json:"commit"`
	SHA256        string        `json:"sha256"`
	Size          int64         `json:"size"`
	CID           string        `json:"cid"`
	PinnedAt      *time.Time    `json:"pinned_at,omitempty"`
	Path          string        `json:"path"`                     // the cached file; "" once it left the cache
	AlreadyPinned bool          `json:"already_pinned,omitempty"` // add: nothing was sent
	Pinned        *bool         `json:"pinned,omitempty"`         // ls: the node still pins it; absent when no node was asked
	Kept          bool          `json:"kept,omitempty"`           // rm: the node keeps the CID for another repo's record
}

func newPinOutput(p *ipfs.Pin) pinOutput {
	return pinOutput{Repo: p.Repo, File: p.File, Commit: p.Commit, SHA256: p.SHA256, Size: p.Size, CID: p.CID,
		PinnedAt: timeOrNil(p.PinnedAt), Path: p.Path, AlreadyPinned: p.Cached, Kept: p.Kept}
}

func (a *app) ipfsAddCmd(api *string) *cobra.Command {
	var rev string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "add REPO FILE...",
		Short: "Pin files already in the cache on the IPFS node and print their CIDs",
		Long: `Add files of a model repository that are in the Hugging Face cache to the IPFS
node, pinned, and print one line per file: its CID and its path. Nothing is
downloaded: fetch files first with "hfgate download" (or use download --ipfs).

Each file is hashed while it is sent: one whose content no longer matches its
SHA-256 (or git blob id) is not pinned, and fails with exit status 7. A file
already pinned (its CID recorded and still pinned on the node) is not sent
again. With --json, one JSON object per event (ipfs_start, ipfs_progress,
ipfs_done, ipfs_error) and then {"kind":"result","pins":[...]}.`,
		Example: `  hfgate ipfs add Qwen/Qwen2.5-Coder-7B-Instruct-GGUF qwen2.5-coder-7b-instruct-q4_k_m.gguf
  hfgate ipfs add hubsim/tiny-llama-GGUF tiny-llama-Q2_K.gguf README.md --revision main
  hfgate ipfs add hubsim/tiny-llama-GGUF tiny-llama-Q2_K.gguf --ipfs-api /ip4/127.0.0.1/tcp/5001 --json`,
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
			targets := make([]pinTarget, 0, len(args)-1)
			for _, f := range args[1:] {
				targets = append(targets, pinTarget{rev: rev, file: f})
			}
			prog := a.newProgress(asJSON)
			pins, err := a.pinFiles(cmd.Context(), p, repo, targets, prog)
			prog.finish()
			if asJSON {
				if jerr := prog.result(nil, nil, pins, pinError(err)); jerr != nil && err == nil {
					err = jerr
				}
			} else {
				printPins(a.io.Out, pins)
			}
			return pinError(err)
		},
	}
	cmd.Flags().StringVar(&rev, "revision", "", "branch, tag or commit id the files are cached at (default main)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per event on stdout")
	return cmd
}

// pinTarget is a file to pin: its repository path at a revision.
type pinTarget struct{ rev, file string }

// pinFiles pins the files one after another, reporting to prog, and
// returns those pinned; it stops at the first error.
func (a *app) pinFiles(ctx context.Context, p *ipfs.Pinner, repo hfgate.RepoID, targets []pinTarget, prog progress) ([]pinOutput, error) {
	out := []pinOutput{}
	rep := pinReporter{prog}
	for _, t := range targets {
		pin, err := p.Pin(ctx, repo, t.rev, t.file, rep)
		if err != nil {
			return out, err
		}
		out = append(out, newPinOutput(pin))
	}
	return out, nil
}

// printPins prints "CID  PATH" per file, as sha256sum prints sums.
func printPins(w io.Writer, pins []pinOutput) {
	for _, p := range pins {
		fmt.Fprintf(w, "%s  %s\n", p.CID, p.Path)
	}
}

// pinError words what to do after an add that failed or was interrupted.
func pinError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled) || hfgate.ErrorCode(err) == hfgate.ECANCELED:
		return hfgate.Errorf(hfgate.ECANCELED, "adding to IPFS interrupted: the file being added was not recorded; run the same command again")
	case hfgate.ErrorCode(err) == hfgate.EINTEGRITY:
		return hfgate.WrapError(hfgate.EINTEGRITY, err, "%s: check the cache with \"hfgate cache verify\", then remove the damaged revision with \"hfgate cache rm\" and download it again", hfgate.ErrorMessage(err))
	case hfgate.ErrorCode(err) == hfgate.ENOTFOUND:
		return hfgate.WrapError(hfgate.ENOTFOUND, err, "%s; download it first with \"hfgate download\" (or add --ipfs to it)", hfgate.ErrorMessage(err))
	case hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE && !errors.Is(err, hfgate.ErrNoIPFSNode):
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "%s; nothing was recorded: check the node with \"hfgate ipfs status\" and run the same command again", hfgate.ErrorMessage(err))
	}
	return err
}
