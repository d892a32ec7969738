package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

func TestSearchCommand(t *testing.T) {
	h := newHubEnv(t)
	r := h.hfgate("search", "coder", "--gguf", "--limit", "3")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	lines := strings.Split(strings.TrimSpace(r.out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID ") || !strings.HasPrefix(lines[1], hubsim.RepoQwenCoder7BGGUF+" ") {
		t.Fatalf("want a header and 3 rows, the most downloaded first:\n%s", r.out)
	}
	row := tableRow(t, r.out, hubsim.RepoQwenCoder7BGGUF)
	if len(row) != 5 || row[1] != "98.2k" || !strings.HasPrefix(row[4], "gguf") {
		t.Errorf("row %q, want downloads 98.2k and tags starting with gguf", row)
	}

	// JSON, following pages: limit 0 lists every match past one page.
	var all []modelOutput
	h.mustJSON(&all, "search", "--author", "Qwen", "--limit", "0", "--json")
	if len(all) < 5 {
		t.Fatalf("%d Qwen models, want all of them", len(all))
	}
	for i, m := range all {
		if m.Author != "Qwen" && !strings.HasPrefix(string(m.ID), "Qwen/") {
			t.Errorf("%s: not by Qwen", m.ID)
		}
		if i > 0 && m.Downloads > all[i-1].Downloads {
			t.Errorf("%s (%d) after %s (%d): not sorted by downloads", m.ID, m.Downloads, all[i-1].ID, all[i-1].Downloads)
		}
	}

	var popular []modelOutput
	h.mustJSON(&popular, "search", "--gguf", "--min-downloads", "50000", "--sort", "likes", "--limit", "0", "--json")
	if len(popular) == 0 {
		t.Fatal("no GGUF model with 50k downloads")
	}
	for _, m := range popular {
		if m.Downloads < 50000 || !slices.Contains(m.Tags, "gguf") {
			t.Errorf("%s: %d downloads, tags %q", m.ID, m.Downloads, m.Tags)
		}
	}

	for _, args := range [][]string{
		{"search", "--sort", "size"},
		{"search", "--limit", "-1"},
		{"search", "a", "b"},
	} {
		if r := h.hfgate(args...); r.code != exitUsage || !strings.Contains(r.err, "hfgate: ") {
			t.Errorf("%q: exit %d, stderr %q; want usage error %d", args, r.code, r.err, exitUsage)
		}
	}
}

// With HF_HUB_OFFLINE set, the commands that only ask the Hub refuse at once.
func TestHubCommandsOffline(t *testing.T) {
	h := newHubEnv(t)
	h.env["HF_HUB_OFFLINE"] = "1"
	for _, args := range [][]string{{"search", "coder"}, {"info", hubsim.RepoTiny}, {"files", hubsim.RepoTiny}, {"recommend", "--memory", "8GiB"}} {
		r := h.hfgate(args...)
		if r.code != exitUnavailable || !strings.Contains(r.err, "HF_HUB_OFFLINE is set") || r.out != "" {
			t.Errorf("%q offline: exit %d, stdout %q, stderr %q", args, r.code, r.out, r.err)
		}
	}
}

// A rejected token from HF_TOKEN is blamed on HF_TOKEN: signing in again
// would not help while it is set.
func TestRejectedEnvToken(t *testing.T) {
	h := newHubEnv(t)
	h.env["HF_TOKEN"] = "hf_notatoken"
	r := h.hfgate("search", "coder")
	if r.code != exitAuth || !strings.Contains(r.err, "HF_TOKEN is set") || strings.Contains(r.err, "hf_notatoken") {
		t.Errorf("exit %d, %q", r.code, r.err)
	}
}
