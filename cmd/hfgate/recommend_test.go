package main

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hubsim"
)

func TestRecommendCommand(t *testing.T) {
	h := newHubEnv(t)
	r := h.hfgate("recommend", "--memory", "16GiB")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	// 16 GiB holds the 14B model at Q5_K_M: the best fit.
	row := tableRow(t, r.out, "1")
	if len(row) != 7 || row[1] != hubsim.RepoShardedGGUF || row[3] != "Q5_K_M" || row[6] != "yes" {
		t.Errorf("first pick %q", row)
	}
	if !strings.Contains(r.out, "1. best fit") || !strings.Contains(r.out, "hfgate download "+hubsim.RepoShardedGGUF+" qwen2.5-coder-14b-instruct-q5_k_m-00001-of-00003.gguf ") {
		t.Errorf("no reason or download hint:\n%s", r.out)
	}
	if !strings.Contains(r.out, "fits: yes when the estimate is at most 15.5 GB, that is 17.2 GB (--memory 16GiB) less 1.72 GB headroom") {
		t.Errorf("no rule under the table:\n%s", r.out)
	}

	var rec fit.Recommendation
	h.mustJSON(&rec, "recommend", "--task", "coding", "--memory", "8GiB", "--limit", "3", "--json")
	if len(rec.Picks) != 3 || rec.Budget.Bytes != 8<<30 || rec.Task != "coding" {
		t.Fatalf("recommendation %+v", rec)
	}
	for _, p := range rec.Picks {
		if p.Entry.Fits != fit.Fits || p.Entry.Memory.Total > rec.Budget.Usable || p.Entry.Parameters > 8e9 {
			t.Errorf("%s %s: fits %q, memory %d of %d usable, %d parameters", p.Repo, p.Entry.Path, p.Entry.Fits, p.Entry.Memory.Total, rec.Budget.Usable, p.Entry.Parameters)
		}
	}

	// When nothing fits, nothing is offered for download.
	r = h.hfgate("recommend", "--memory", "1GiB")
	if r.code != 0 || strings.Contains(r.out, "hfgate download") || !strings.Contains(r.out, "none of these fits") {
		t.Errorf("nothing fits: exit %d:\n%s", r.code, r.out)
	}

	for _, args := range [][]string{{"recommend", "--task", "poetry"}, {"recommend", "--limit", "0"}, {"recommend", "--memory", "-2G"}} {
		if r := h.hfgate(args...); r.code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, r.code, exitUsage)
		}
	}
}
