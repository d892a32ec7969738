package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

// infoOutput is the --json output of "hfgate info".
type infoOutput struct {
	modelOutput
	URL       string `json:"url"`
	License   string `json:"license,omitempty"`
	Files     int    `json:"files"`
	TotalSize int64  `json:"total_size"`
	// Access says how to get the files of a gated repo; "" otherwise.
	Access string `json:"access,omitempty"`
}

func (a *app) infoCmd() *cobra.Command {
	var (
		rev    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "info REPO",
		Short: "Show a model repository's details",
		Long: `Show a model repository: its id, author, commit, when it last changed, downloads,
likes, whether it is gated, private or disabled, library, task, license, tags,
the number and total size of its files, and its page on the Hub. For a gated
repo it says how to ask for access.`,
		Example: `  hfgate info Qwen/Qwen2.5-Coder-7B-Instruct-GGUF
  hfgate info meta-llama/Llama-3.2-1B-Instruct
  hfgate info HuggingFaceTB/SmolLM2-135M-Instruct --revision main --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := hfgate.ParseRepoID(args[0])
			if err != nil {
				return err
			}
			if err := checkRevisionFlag(rev); err != nil {
				return err
			}
			c, err := a.onlineHub("info")
			if err != nil {
				return err
			}
			m, err := c.ModelInfo(cmd.Context(), repo, rev, hfgate.WithBlobs())
			if err != nil {
				return err
			}
			out := infoOutput{modelOutput: newModelOutput(m), URL: c.RepoURL(m.ID), License: license(m)}
			for _, f := range m.Files {
				if !f.IsDir {
					out.Files++
					out.TotalSize += f.Size
				}
			}
			if m.IsGated() {
				out.Access = fmt.Sprintf("gated (%s approval): sign in with `hfgate login`, then request access at %s", m.Gated, out.URL)
				if a.signedIn(cmd.Context()) {
					out.Access = fmt.Sprintf("gated (%s approval): unless you were granted access, request it at %s", m.Gated, out.URL)
				}
			}
			if asJSON {
				return writeJSON(a.io.Out, out)
			}
			return out.print(a)
		},
	}
	cmd.Flags().StringVar(&rev, "revision", "", "a branch, tag or commit (default: the main branch)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// license is the card's license, else a "license:" tag.
func license(m *hfgate.Model) string {
	if s, ok := m.CardData["license"].(string); ok && s != "" {
		return s
	}
	for _, t := range m.Tags {
		if l, ok := strings.CutPrefix(t, "license:"); ok {
			return l
		}
	}
	return ""
}

func (o *infoOutput) print(a *app) error {
	t := newTable(a.io.Out)
	row := func(k, v string) {
		if v != "" {
			t.Row(k+":", v)
		}
	}
	row("id", string(o.ID))
	row("author", o.Author)
	row("commit", o.SHA)
	if o.LastModified != nil {
		row("updated", o.LastModified.UTC().Format("2006-01-02 15:04 MST")+" ("+humanAge(*o.LastModified, time.Now())+")")
	}
	row("downloads", humanCount(o.Downloads)+" (last 30 days)")
	row("likes", humanCount(o.Likes))
	var status []string
	if o.Gated != "" {
		status = append(status, "gated ("+o.Gated+" approval)")
	}
	if o.Private {
		status = append(status, "private")
	}
	if o.Disabled {
		status = append(status, "disabled")
	}
	if len(status) == 0 {
		status = append(status, "public")
	}
	row("access", strings.Join(status, ", "))
	row("library", o.Library)
	row("task", o.Task)
	row("license", o.License)
	row("tags", strings.Join(o.Tags, ", "))
	row("files", fmt.Sprintf("%d, %s in total", o.Files, humanBytes(o.TotalSize)))
	row("url", o.URL)
	if err := t.Flush(); err != nil {
		return err
	}
	if o.Access != "" {
		_, err := fmt.Fprintf(a.io.Out, "\nThis repo is %s.\n", o.Access)
		return err
	}
	return nil
}
