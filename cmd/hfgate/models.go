package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfhub"
)

// Helpers shared by search, info, files and recommend.

// modelOutput is one model in --json output: the Hub's fields with
// snake_case names.
type modelOutput struct {
	ID           hfgate.RepoID `json:"id"`
	Author       string        `json:"author,omitempty"`
	SHA          string        `json:"sha,omitempty"`
	Downloads    int64         `json:"downloads"`
	Likes        int64         `json:"likes"`
	Trending     float64       `json:"trending_score,omitempty"`
	LastModified *time.Time    `json:"last_modified,omitempty"`
	CreatedAt    *time.Time    `json:"created_at,omitempty"`
	Task         string        `json:"pipeline_tag,omitempty"`
	Library      string        `json:"library_name,omitempty"`
	Gated        string        `json:"gated,omitempty"` // "auto" or "manual"
	Private      bool          `json:"private"`
	Disabled     bool          `json:"disabled,omitempty"`
	Tags         []string      `json:"tags"`
}

func newModelOutput(m *hfgate.Model) modelOutput {
	o := modelOutput{ID: m.ID, Author: m.Author, SHA: m.SHA, Downloads: m.Downloads, Likes: m.Likes,
		Trending: m.TrendingScore, Task: m.PipelineTag, Library: m.LibraryName, Gated: m.Gated,
		Private: m.Private, Disabled: m.Disabled, Tags: m.Tags}
	if !m.LastModified.IsZero() {
		o.LastModified = &m.LastModified
	}
	if !m.CreatedAt.IsZero() {
		o.CreatedAt = &m.CreatedAt
	}
	if o.Tags == nil {
		o.Tags = []string{}
	}
	return o
}

// shortTags are the few facts a listing shows about a model: its format
// (gguf, or the library), its task, and whether it is gated or private.
func shortTags(m *hfgate.Model) string {
	var out []string
	switch {
	case hasTag(m, "gguf"):
		out = append(out, "gguf")
	case m.LibraryName != "":
		out = append(out, m.LibraryName)
	}
	if m.PipelineTag != "" {
		out = append(out, m.PipelineTag)
	}
	if m.IsGated() {
		out = append(out, "gated")
	}
	if m.Private {
		out = append(out, "private")
	}
	return strings.Join(out, ", ")
}

func hasTag(m *hfgate.Model, tag string) bool {
	return m.LibraryName == tag || slices.Contains(m.Tags, tag)
}

// entryName is how a table names an entry: its path, and for a split model
// how many more shards it has.
func entryName(e *fit.Entry) string {
	if len(e.Shards) > 1 {
		return fmt.Sprintf("%s (+%d shards)", e.Path, len(e.Shards)-1)
	}
	return e.Path
}

// memoryCell is an entry's estimate for a table, or "-".
func memoryCell(e *fit.Entry) string {
	if e.Memory == nil {
		return "-"
	}
	return humanBytes(e.Memory.Total)
}

// checkRevisionFlag checks --revision; "" means the default branch.
func checkRevisionFlag(rev string) error {
	if rev == "" {
		return nil
	}
	return hfgate.ValidateRevision(rev)
}

// memoryBudget is the budget of --memory, else of this machine's available
// memory. When neither is known it warns and returns an unknown budget, so
// that sizes and estimates still show.
func (a *app) memoryBudget(flag string) (fit.Budget, error) {
	if flag != "" {
		n, err := parseBytes(flag)
		if err != nil {
			return fit.Budget{}, err
		}
		if n <= 0 {
			return fit.Budget{}, hfgate.Errorf(hfgate.EINVALID, "--memory must be more than zero, e.g. --memory 16GiB")
		}
		return fit.NewBudget(n, "--memory "+flag), nil
	}
	_, avail, err := fit.SystemMemory()
	if err != nil {
		a.warn("%s", hfgate.ErrorMessage(err))
		return fit.Budget{Source: "unknown"}, nil
	}
	return fit.NewBudget(int64(avail), "available memory"), nil
}

// opener reads files of repo at commit through ranged requests: a HEAD
// (resolve) for the file's location, then Range GETs of the header only.
func opener(c *hfhub.Client, repo hfgate.RepoID, commit string) fit.Opener {
	return func(ctx context.Context, path string) (io.ReaderAt, error) {
		meta, err := c.FileMetadata(ctx, repo, commit, path)
		if err != nil {
			return nil, err
		}
		return c.ReaderAt(ctx, meta), nil
	}
}

// budgetLine describes a budget for the line under a table.
func budgetLine(b fit.Budget) string {
	if !b.Known() {
		return "fits: unknown (this machine's memory is unknown; state it with --memory)"
	}
	return fmt.Sprintf("fits: yes when the estimate is at most %s, that is %s (%s) less %s headroom",
		humanBytes(b.Usable), humanBytes(b.Bytes), b.Source, humanBytes(b.Bytes-b.Usable))
}
