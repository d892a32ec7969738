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
