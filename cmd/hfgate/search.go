package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/hfgate/hfgate"
)

// searchSorts maps --sort values to the Hub's sort keys.
var searchSorts = map[string]string{
	"downloads": hfgate.SortDownloads,
	"likes":     hfgate.SortLikes,
	"trending":  hfgate.SortTrending,
	"updated":   hfgate.SortUpdated,
	"created":   hfgate.SortCreated,
}

func (a *app) searchCmd() *cobra.Command {
	var (
		q      hfgate.SearchQuery
		gguf   bool
		sortBy string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "search [QUERY]",
		Short: "Search the Hub for models",
		Long: `Search the Hub's models whose id contains QUERY, most downloaded first unless
--sort says otherwise. Results come page by page (the Hub's cursor pagination)
and stop at --limit (0 lists all). --min-downloads drops less downloaded models;
the Hub has no such filter, so hfgate applies it to the results.`,
		Example: `  hfgate search coder --gguf
  hfgate search --author Qwen --task text-generation --sort likes --limit 5
  hfgate search llama --library transformers --min-downloads 10000 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				q.Search = args[0]
			}
			key, ok := searchSorts[sortBy]
			if !ok {
				return hfgate.Errorf(hfgate.EINVALID, "--sort %q: use downloads, likes, trending, updated or created", sortBy)
			}
			q.Sort = key
			if gguf {
				q.Filters = append(q.Filters, "gguf")
			}
			if q.Limit < 0 || q.MinDownloads < 0 {
				return hfgate.Errorf(hfgate.EINVALID, "--limit and --min-downloads must not be negative")
			}
			return a.search(cmd, q, asJSON)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&gguf, "gguf", false, "only repos with GGUF files (llama.cpp, LM Studio, Ollama)")
	f.StringVar(&q.Author, "author", "", "only models of this user or organization")
	f.StringVar(&q.Library, "library", "", "only models of this library, e.g. transformers, gguf")
	f.StringVar(&q.Task, "task", "", "only models for this task, e.g. text-generation")
	f.StringVar(&sortBy, "sort", "downloads", "order: downloads, likes, trending, updated or created")
	f.IntVar(&q.Limit, "limit", 20, "show at most this many models (0: all)")
	f.Int64Var(&q.MinDownloads, "min-downloads", 0, "only models downloaded at least this often (last 30 days)")
	f.BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) search(cmd *cobra.Command, q hfgate.SearchQuery, asJSON bool) error {
	ctx := cmd.Context()
	out := []modelOutput{}
	var models []*hfgate.Model
	c, err := a.onlineHub("search")
	if err != nil {
		return err
	}
	for m, err := range c.Search(ctx, q) {
		if err != nil {
			return err
		}
		models = append(models, m)
		out = append(out, newModelOutput(m))
	}
	if asJSON {
		return writeJSON(a.io.Out, out)
	}
	if len(models) == 0 {
		_, err := a.io.Err.Write([]byte("hfgate: no models match\n"))
		return err
	}
	t := newTable(a.io.Out, "ID", "DOWNLOADS", "LIKES", "UPDATED", "TAGS")
	now := time.Now()
	for _, m := range models {
		t.Row(string(m.ID), humanCount(m.Downloads), humanCount(m.Likes), humanAge(m.LastModified, now), shortTags(m))
	}
	return t.Flush()
}
