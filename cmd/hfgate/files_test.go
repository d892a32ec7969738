package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

func TestFilesCommand(t *testing.T) {
	h := newHubEnv(t)
	// 8 GiB keeps 1 GiB free: Q4_K_M and Q5_K_M fit, Q8_0 (9.3 GB) does not.
	r := h.hfgate("files", hubsim.RepoQwenCoder7BGGUF, "--memory", "8GiB")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	for file, want := range map[string][]string{
		"qwen2.5-coder-7b-instruct-q4_k_m.gguf": {"4.68 GB", "Q4_K_M", "5.89 GB", "yes"},
		"qwen2.5-coder-7b-instruct-q8_0.gguf":   {"8.10 GB", "Q8_0", "9.30 GB", "no"},
		"README.md":                             {"668 B", "-", "-", "-"},
	} {
		if got := tableRow(t, r.out, file)[1:]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %q, want %q", file, got, want)
		}
	}
	if !strings.Contains(r.out, "--memory 8GiB") {
		t.Errorf("the budget is not described:\n%s", r.out)
	}

	// The split model is one line; --gguf drops the rest; 12.5 GiB flips
	// Q5_K_M to "no".
	var out filesOutput
	h.mustJSON(&out, "files", hubsim.RepoShardedGGUF, "--gguf", "--memory", "12.5GiB", "--json")
	if len(out.Files) != 2 || out.Budget.Bytes != 12<<30+1<<29 || len(out.Revision) != 40 {
		t.Fatalf("files: %+v", out)
	}
	for _, e := range out.Files {
		want := fit.Fits
		if e.Quantization == "Q5_K_M" {
			want = fit.TooBig
		}
		if len(e.Shards) != 3 || e.Memory == nil || e.Fits != want || e.Parameters < 14e9 {
			t.Errorf("%s: shards %d, memory %v, fits %q (want %q), parameters %d", e.Path, len(e.Shards), e.Memory, e.Fits, want, e.Parameters)
		}
	}
	r = h.hfgate("files", hubsim.RepoShardedGGUF, "--gguf", "--memory", "12.5GiB")
	if row := tableRow(t, r.out, "qwen2.5-coder-14b-instruct-q4_k_m-00001-of-00003.gguf"); row[1] != "(+2 shards)" && !strings.HasSuffix(row[0], "(+2 shards)") {
		t.Errorf("split model row %q", row)
	}

	// A longer context needs more memory.
	var long filesOutput
	h.mustJSON(&long, "files", hubsim.RepoQwenCoder7BGGUF, "--gguf", "--context", "32768", "--memory", "64GiB", "--json")
	if m := long.Files[0].Memory; m == nil || m.ContextLength != 32768 || m.KVCache <= out.Files[0].Memory.KVCache/4 {
		t.Errorf("--context 32768: %+v", m)
	}

	// Non-GGUF files: sizes only. Without --memory: this machine's memory.
	var st filesOutput
	h.mustJSON(&st, "files", hubsim.RepoTransformers, "--json")
	if st.Budget.Source != "available memory" || st.Budget.Bytes <= 0 || len(st.Files) != 7 {
		t.Errorf("budget %+v, %d files; want this machine's available memory, 7 files", st.Budget, len(st.Files))
	}
	for _, e := range st.Files {
		if e.Size <= 0 || e.Memory != nil || e.Fits != fit.NotModel {
			t.Errorf("%s: %+v", e.Path, e)
		}
	}

	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"files", "bad//id"}, exitUsage},
		{[]string{"files", hubsim.RepoTiny, "--memory", "lots"}, exitUsage},
		{[]string{"files", "nobody/nothing"}, exitNotFound},
		{[]string{"files", hubsim.RepoTiny, "--revision", "nope"}, exitNotFound},
		{[]string{"files", hubsim.RepoDisabled}, exitGated},
	} {
		if r := h.hfgate(tt.args...); r.code != tt.code {
			t.Errorf("%q: exit %d, want %d (%s)", tt.args, r.code, tt.code, r.err)
		}
	}
}

// TestFilesGated reads headers of a gated GGUF repo: anonymous users are
// told to sign in, users not granted where to ask, granted users get the
// answer.
func TestFilesGated(t *testing.T) {
	raw, err := os.ReadFile("../../hubsim/builtin_catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc["repos"].([]any) {
		if repo := r.(map[string]any); repo["id"] == hubsim.RepoTiny {
			repo["gated"], repo["granted"] = "manual", []string{hubsim.UserAlice}
		}
	}
	raw, _ = json.Marshal(doc)
	cat, err := hubsim.LoadCatalog(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := newHubEnv(t)
	h.hub = hubsimtest.Start(t, hubsim.Options{Catalog: cat})
	h.env["HF_ENDPOINT"] = h.hub.URL()
	url := h.hub.URL() + "/" + hubsim.RepoTiny

	r := h.hfgate("files", hubsim.RepoTiny, "--memory", "2GiB")
	if r.code != exitAuth || !strings.Contains(r.err, "hfgate login") {
		t.Errorf("anonymous: exit %d, %q; want %d and a sign-in hint", r.code, r.err, exitAuth)
	}
	for user, code := range map[string]int{hubsim.UserBob: exitGated, hubsim.UserAlice: 0} {
		tok, err := h.hub.MintToken(user, "read")
		if err != nil {
			t.Fatal(err)
		}
		h.env["HF_TOKEN"] = tok
		r := h.hfgate("files", hubsim.RepoTiny, "--memory", "2GiB")
		if r.code != code || strings.Contains(r.out+r.err, tok) {
			t.Errorf("%s: exit %d, want %d (or the token was printed)", user, r.code, code)
		}
		if code == exitGated && !strings.Contains(r.err, "request access at "+url) {
			t.Errorf("%s: %q, want where to request access", user, r.err)
		}
		if code == 0 && tableRow(t, r.out, "tiny-llama-Q4_K_M.gguf")[4] != "yes" {
			t.Errorf("%s: the tiny model should fit 2 GiB:\n%s", user, r.out)
		}
	}
}
