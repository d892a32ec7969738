package fit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gguf"
)

// Defaults of RecommendOptions.
const (
	DefaultPicks          = 5
	DefaultReposPerSearch = 5
)

// TaskCoding is the task Recommend knows: models that write code.
const TaskCoding = "coding"

// CodingSearches are the Hub searches Recommend runs for TaskCoding: GGUF
// repos of the well-known coder model families, most downloaded first.
var CodingSearches = []string{"Qwen2.5-Coder", "deepseek-coder", "codellama", "starcoder2", "coder"}

// candidateQuants are the quantizations worth recommending, in rising
// quality: smaller ones lose too much, F16 and BF16 are for converting.
var candidateQuants = []string{"Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "Q8_0"}

// OpenerFor returns an Opener over the files of repo at commit.
type OpenerFor func(repo hfgate.RepoID, commit string) Opener

// RecommendOptions are the settings of Recommend. The zero value
// recommends DefaultPicks coding models against an unknown budget.
type RecommendOptions struct {
	Task          string // "" or TaskCoding
	Budget        Budget
	ContextLength int64 // as in Options
	Picks         int   // at most this many picks; 0 means DefaultPicks
	// ReposPerSearch bounds the repos taken from each search; 0 means
	// DefaultReposPerSearch.
	ReposPerSearch int
	Concurrency    int // repos examined at once; 0 means DefaultConcurrency
}

// Recommendation is what Recommend found.
type Recommendation struct {
	Task    string `json:"task"`
	Budget  Budget `json:"budget"`
	Picks   []Pick `json:"picks"`
	Skipped []Skip `json:"skipped,omitempty"`
}

// Pick is one recommended model file: the best candidate of one repo.
type Pick struct {
	Repo      hfgate.RepoID `json:"repo"`
	Revision  string        `json:"revision"` // the commit the headers were read at
	Downloads int64         `json:"downloads"`
	Likes     int64         `json:"likes"`
	Entry     Entry         `json:"file"`
	Reason    string        `json:"reason"` // one line: why it is here
}

// Skip is a repo Recommend could not examine, and why.
type Skip struct {
	Repo   hfgate.RepoID `json:"repo"`
	Reason string        `json:"reason"`
}

// Recommend finds GGUF coding models for opts.Budget: it runs
// CodingSearches, takes the most downloaded repos of each, reads the
// headers of their Q4_K_M to Q8_0 class files (only those no larger than
// the usable budget, since weights alone take the file's size) and keeps
// each repo's best candidate. Picks that fit come first, the largest model
// first, then the better quantization, then the most downloaded; then the
// rest, smallest need first. A repo that cannot be read (gated, disabled,
// gone) is listed in Skipped. Recommend fails on an unknown task, on a
// failed search and when ctx ends.
func Recommend(ctx context.Context, hub hfgate.Hub, open OpenerFor, opts RecommendOptions) (*Recommendation, error) {
	if opts.Task != "" && opts.Task != TaskCoding {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no recommendations for task %q; the task hfgate knows is %q", opts.Task, TaskCoding)
	}
	models, err := searchAll(ctx, hub, cmp.Or(opts.ReposPerSearch, DefaultReposPerSearch))
	if err != nil {
		return nil, err
	}
	rec := &Recommendation{Task: TaskCoding, Budget: opts.Budget}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(opts.Concurrency, DefaultConcurrency))
	for _, m := range models {
		g.Go(func() error {
			pick, skip, err := examine(gctx, hub, open, m, opts)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				return err
			case skip != "":
				rec.Skipped = append(rec.Skipped, Skip{Repo: m.ID, Reason: skip})
			case pick != nil:
				rec.Picks = append(rec.Picks, *pick)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(rec.Picks, comparePicks)
	slices.SortFunc(rec.Skipped, func(a, b Skip) int { return cmp.Compare(a.Repo, b.Repo) })
	rec.Picks = rec.Picks[:min(len(rec.Picks), cmp.Or(opts.Picks, DefaultPicks))]
	for i := range rec.Picks {
		rec.Picks[i].Reason = reason(&rec.Picks[i], opts.Budget, i == 0)
	}
	return rec, nil
}

// searchAll runs CodingSearches and returns each repo found once, in the
// order found.
func searchAll(ctx context.Context, hub hfgate.Hub, perSearch int) ([]*hfgate.Model, error) {
	var out []*hfgate.Model
	seen := map[hfgate.RepoID]bool{}
	for _, s := range CodingSearches {
		q := hfgate.SearchQuery{Search: s, Filters: []string{"gguf"}, Sort: hfgate.SortDownloads, Limit: perSearch}
		for m, err := range hub.Search(ctx, q) {
			if err != nil {
				return nil, fmt.Errorf("search %q: %w", s, err)
			}
			if !seen[m.ID] && !m.Disabled {
				seen[m.ID] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// examine analyses one repo's candidate files and returns its best pick,
// or why the repo was skipped.
func examine(ctx context.Context, hub hfgate.Hub, open OpenerFor, found *hfgate.Model, opts RecommendOptions) (*Pick, string, error) {
	m, err := hub.ModelInfo(ctx, found.ID, "", hfgate.WithBlobs())
	if err != nil {
		if skippable(err) {
			return nil, hfgate.ErrorMessage(err), nil
		}
		return nil, "", err
	}
	var files []hfgate.RepoFile
	for _, f := range m.Files {
		if IsGGUF(f.Path) && slices.Contains(candidateQuants, gguf.QuantizationFromFilename(f.Path)) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, "", nil
	}
	// Weights alone take about the file's size: a larger file cannot fit,
	// and its header need not be read.
	groups := group(files)
	for _, g := range groups {
		g.tooLarge = opts.Budget.Verdict(g.size()) == TooBig
	}
	entries, err := analyze(ctx, open(m.ID, m.SHA), groups,
		Options{Budget: opts.Budget, ContextLength: opts.ContextLength, Concurrency: 2})
	if err != nil {
		if skippable(err) {
			return nil, hfgate.ErrorMessage(err), nil
		}
		return nil, "", err
	}
	entries = slices.DeleteFunc(entries, func(e Entry) bool { return e.Memory == nil && e.Fits != TooBig })
	if len(entries) == 0 {
		return nil, "", nil
	}
	best := slices.MinFunc(entries, compareEntries)
	return &Pick{Repo: m.ID, Revision: m.SHA, Downloads: cmp.Or(m.Downloads, found.Downloads),
		Likes: cmp.Or(m.Likes, found.Likes), Entry: best}, "", nil
}

// skippable reports whether a repo's error is the repo's own (access,
// existence), so that the others may still be examined.
func skippable(err error) bool {
	switch hfgate.ErrorCode(err) {
	case hfgate.ENOTFOUND, hfgate.EGATED, hfgate.EFORBIDDEN, hfgate.EUNAUTHORIZED:
		return true
	}
	return false
}
