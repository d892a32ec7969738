package fit_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// recommend runs Recommend on a hubsim and returns the paths it opened.
func recommend(t *testing.T, s *hubsim.Server, budget int64) (*fit.Recommendation, []string) {
	t.Helper()
	c := &hfhub.Client{Endpoint: s.URL()}
	var mu sync.Mutex
	var opened []string
	openFor := func(repo hfgate.RepoID, commit string) fit.Opener {
		o := &hubOpener{c: c, repo: repo, rev: commit}
		return func(ctx context.Context, path string) (io.ReaderAt, error) {
			mu.Lock()
			opened = append(opened, path)
			mu.Unlock()
			return o.open(ctx, path)
		}
	}
	rec, err := fit.Recommend(context.Background(), c, openFor, fit.RecommendOptions{Budget: fit.NewBudget(budget, "test"), Picks: 20})
	if err != nil {
		t.Fatalf("Recommend(%d): %v", budget, err)
	}
	return rec, opened
}

func TestRecommend(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	for _, tt := range []struct {
		name      string
		budget    int64
		firstRepo string
		firstQ    string
	}{
		// 16 GiB: 14.4 GiB usable holds the 14B model at Q5_K_M (13.1 GB).
		{"16GiB", 16 << 30, hubsim.RepoShardedGGUF, "Q5_K_M"},
		// 8 GiB: 7 GiB usable; the biggest coder that fits is a 7.6B Qwen,
		// at Q6_K (6.9 GiB) in bartowski's repo.
		{"8GiB", 8 << 30, "bartowski/Qwen2.5-Coder-7B-Instruct-GGUF", "Q6_K"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec, opened := recommend(t, s, tt.budget)
			if len(rec.Picks) < 3 || rec.Task != fit.TaskCoding || rec.Budget.Bytes != tt.budget {
				t.Fatalf("%d picks, task %q, budget %+v", len(rec.Picks), rec.Task, rec.Budget)
			}
			first := rec.Picks[0]
			if tt.firstRepo != "" && string(first.Repo) != tt.firstRepo {
				t.Errorf("first pick %s %s, want %s", first.Repo, first.Entry.Path, tt.firstRepo)
			}
			if first.Entry.Fits != fit.Fits || first.Entry.Quantization != tt.firstQ || !strings.HasPrefix(first.Reason, "best fit") {
				t.Errorf("first pick %s %s: fits %q, quant %q, reason %q", first.Repo, first.Entry.Path, first.Entry.Fits, first.Entry.Quantization, first.Reason)
			}
			seen := map[hfgate.RepoID]bool{}
			fitting := true
			for i, p := range rec.Picks {
				if seen[p.Repo] {
					t.Errorf("repo %s picked twice", p.Repo)
				}
				seen[p.Repo] = true
				if p.Entry.Fits == fit.Fits && !fitting {
					t.Errorf("pick %d (%s) fits but comes after one that does not", i, p.Repo)
				}
				fitting = p.Entry.Fits == fit.Fits
				if fitting && (p.Entry.Memory == nil || p.Entry.Memory.Total > rec.Budget.Usable) {
					t.Errorf("pick %d (%s) fits with memory %+v over %d usable", i, p.Repo, p.Entry.Memory, rec.Budget.Usable)
				}
				if i > 0 && fitting && p.Entry.Parameters > rec.Picks[i-1].Entry.Parameters {
					t.Errorf("pick %d (%s, %d parameters) after a smaller model", i, p.Repo, p.Entry.Parameters)
				}
				if i > 0 && !fitting && rec.Picks[i-1].Entry.Fits != fit.Fits && need(p) < need(rec.Picks[i-1]) {
					t.Errorf("pick %d (%s) does not fit and needs less than the one before", i, p.Repo)
				}
				if p.Reason == "" || p.Revision == "" || p.Downloads == 0 {
					t.Errorf("pick %d: %+v", i, p)
				}
			}
			if tt.budget == 8<<30 {
				// The 14B model does not fit: it comes after those that do,
				// and its headers are never read.
				if p := rec.Picks[len(rec.Picks)-1]; seen[hubsim.RepoShardedGGUF] && p.Entry.Fits == fit.Fits {
					t.Errorf("the 14B model does not fit 8 GiB, yet the last pick %s fits", p.Repo)
				}
				// Files larger than the budget are never opened.
				for _, p := range opened {
					if strings.Contains(p, "14b") || strings.Contains(p, "q8_0") && strings.Contains(p, "7b") {
						t.Errorf("opened %s, larger than the budget", p)
					}
				}
			}
		})
	}
}

func TestRecommendUnknownTask(t *testing.T) {
	_, err := fit.Recommend(context.Background(), nil, nil, fit.RecommendOptions{Task: "poetry"})
	if hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("task poetry: err=%v, want EINVALID", err)
	}
}

func need(p fit.Pick) int64 {
	if p.Entry.Memory != nil {
		return p.Entry.Memory.Total
	}
	return p.Entry.Size
}
