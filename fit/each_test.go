package fit_test

import (
	"reflect"
	"testing"

	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestAnalyzeEach: Each gets every entry once, at its index, equal to what
// Analyze returns, a split model once all its shards are read.
func TestAnalyzeEach(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	for _, repo := range []string{hubsim.RepoQwenCoder7BGGUF, hubsim.RepoShardedGGUF, hubsim.RepoTiny} {
		got := map[int]fit.Entry{}
		calls := 0
		opts := fit.Options{Budget: fit.NewBudget(12<<30, "test"), Each: func(i int, e fit.Entry) {
			calls++
			got[i] = e
		}}
		entries, _, _ := analyzeRepo(t, s, repo, opts)
		if calls != len(entries) || len(got) != len(entries) {
			t.Errorf("%s: Each called %d times for %d indexes, want once for each of %d entries", repo, calls, len(got), len(entries))
		}
		for i, e := range entries {
			if !reflect.DeepEqual(got[i], e) {
				t.Errorf("%s: Each(%d) = %+v, Analyze has %+v", repo, i, got[i], e)
			}
		}
	}
}

// TestSuggest: the file Suggest takes is the one Recommend would: the best
// quantization worth running that fits; none when nothing fits.
func TestSuggest(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	for _, tt := range []struct {
		name   string
		repo   string
		memory int64
		want   string
	}{
		{"Q5_K_M fits, Q8_0 does not", hubsim.RepoQwenCoder7BGGUF, 8 << 30, "qwen2.5-coder-7b-instruct-q5_k_m.gguf"},
		{"everything fits", hubsim.RepoQwenCoder7BGGUF, 64 << 30, "qwen2.5-coder-7b-instruct-q8_0.gguf"},
		{"split model", hubsim.RepoShardedGGUF, 12<<30 + 512<<20, "qwen2.5-coder-14b-instruct-q4_k_m-00001-of-00003.gguf"},
		{"nothing fits", hubsim.RepoQwenCoder7BGGUF, 2 << 30, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			entries, _, _ := analyzeRepo(t, s, tt.repo, fit.Options{Budget: fit.NewBudget(tt.memory, "test")})
			got := ""
			if i := fit.Suggest(entries); i >= 0 {
				got = entries[i].Path
			}
			if got != tt.want {
				t.Errorf("Suggest = %q, want %q", got, tt.want)
			}
		})
	}
	if got := fit.Suggest(nil); got != -1 {
		t.Errorf("Suggest(nil) = %d", got)
	}
}

// TestList: List describes the files as Analyze does, without reading
// anything and without estimates.
func TestList(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	b := fit.NewBudget(8<<30, "test")
	entries, m, _ := analyzeRepo(t, s, hubsim.RepoShardedGGUF, fit.Options{Budget: b})
	listed := fit.List(m.Files, b)
	if len(listed) != len(entries) {
		t.Fatalf("List has %d entries, Analyze %d", len(listed), len(entries))
	}
	for i, e := range listed {
		a := entries[i]
		if e.Path != a.Path || e.Size != a.Size || len(e.Shards) != len(a.Shards) || e.GGUF != a.GGUF || e.Memory != nil {
			t.Errorf("List[%d] = %+v, Analyze has %+v", i, e, a)
		}
		want := fit.NotModel
		switch {
		case e.GGUF && b.Verdict(e.Size) == fit.TooBig:
			want = fit.TooBig // the file alone is larger than the budget
		case e.GGUF:
			want = fit.Unknown
		}
		if e.Fits != want {
			t.Errorf("%s: List says %q, want %q", e.Path, e.Fits, want)
		}
	}
}
