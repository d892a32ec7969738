package fit_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

func TestAnalyzeGGUF7B(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	// 8 GiB keeps 1 GiB free: 7 GiB usable, between the Q5_K_M and Q8_0
	// estimates (about 6.6 and 9.3 GB).
	entries, m, o := analyzeRepo(t, s, hubsim.RepoQwenCoder7BGGUF, fit.Options{Budget: fit.NewBudget(8<<30, "test")})
	if len(entries) != len(m.Files) {
		t.Fatalf("%d entries for %d files", len(entries), len(m.Files))
	}
	var ggufBytes int64
	for _, tt := range []struct {
		path, quant string
		fits        fit.Verdict
	}{
		{"qwen2.5-coder-7b-instruct-q4_k_m.gguf", "Q4_K_M", fit.Fits},
		{"qwen2.5-coder-7b-instruct-q5_k_m.gguf", "Q5_K_M", fit.Fits},
		{"qwen2.5-coder-7b-instruct-q8_0.gguf", "Q8_0", fit.TooBig},
	} {
		e := entryAt(t, entries, tt.path)
		ggufBytes += e.Size
		if !e.GGUF || e.Quantization != tt.quant || e.QuantizationSource != "header" || e.Architecture != "qwen2" {
			t.Errorf("%s: gguf=%v quant=%q from %q arch=%q", tt.path, e.GGUF, e.Quantization, e.QuantizationSource, e.Architecture)
		}
		if e.Parameters < 7.5e9 || e.Parameters > 7.7e9 || e.ModelContextLength != 32768 {
			t.Errorf("%s: parameters=%d context=%d, want about 7.6B and 32768", tt.path, e.Parameters, e.ModelContextLength)
		}
		checkMemory(t, e)
		if e.Fits != tt.fits {
			t.Errorf("%s: fits=%q with %d usable and %d needed, want %q", tt.path, e.Fits, fit.NewBudget(8<<30, "").Usable, e.Memory.Total, tt.fits)
		}
	}
	if readme := entryAt(t, entries, "README.md"); readme.GGUF || readme.Memory != nil || readme.Fits != fit.NotModel || readme.Size == 0 {
		t.Errorf("README.md: %+v, want a size and nothing else", readme)
	}
	// Headers only: the reads stay far below 1% of the files' bytes.
	if got := o.fetched.Load(); got <= 0 || got*100 >= ggufBytes {
		t.Errorf("fetched %d bytes of %d bytes of GGUF files, want under 1%%", got, ggufBytes)
	}
}

// checkMemory checks an entry's estimate against its size.
func checkMemory(t *testing.T, e fit.Entry) {
	t.Helper()
	mem := e.Memory
	if mem == nil {
		t.Fatalf("%s: no memory estimate (problem %q)", e.Path, e.Problem)
	}
	if mem.Weights > e.Size || mem.Weights < e.Size*99/100 {
		t.Errorf("%s: weights %d for a file of %d bytes", e.Path, mem.Weights, e.Size)
	}
	if mem.KVCache <= 0 || mem.Compute <= 0 || mem.Total != mem.Weights+mem.KVCache+mem.Compute || mem.ContextLength != 8192 {
		t.Errorf("%s: memory %+v", e.Path, mem)
	}
}

func TestAnalyzeShardedGGUF(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	// 12.5 GiB keeps 1.25 GiB free: 11.25 GiB usable, between the Q4_K_M
	// and Q5_K_M estimates (about 11.5 and 13.1 GB).
	entries, m, o := analyzeRepo(t, s, hubsim.RepoShardedGGUF, fit.Options{Budget: fit.NewBudget(12<<30+512<<20, "test")})
	// The first shards hold the tokenizer (6 MiB read each); the later
	// ones, a few KB of header, are read in one small chunk.
	if got := o.fetched.Load(); got > 2*6<<20+4*(1<<20) {
		t.Errorf("fetched %d bytes for 6 shards' headers", got)
	}
	if got, want := len(entries), len(m.Files)-4; got != want {
		t.Fatalf("%d entries for %d files, want %d: two models of three shards each", got, len(m.Files), want)
	}
	sizes := map[string]int64{}
	for _, f := range m.Files {
		sizes[f.Path] = f.Size
	}
	for quant, fits := range map[string]fit.Verdict{"q4_k_m": fit.Fits, "q5_k_m": fit.TooBig} {
		first := "qwen2.5-coder-14b-instruct-" + quant + "-00001-of-00003.gguf"
		e := entryAt(t, entries, first)
		if len(e.Shards) != 3 || e.Shards[0] != first || !strings.HasSuffix(e.Shards[2], "-00003-of-00003.gguf") {
			t.Errorf("%s: shards %q", quant, e.Shards)
		}
		var sum int64
		for _, p := range e.Shards {
			sum += sizes[p]
		}
		if e.Size != sum || e.Quantization != strings.ToUpper(quant) {
			t.Errorf("%s: size %d quant %q, want %d (all shards) and %s", quant, e.Size, e.Quantization, sum, strings.ToUpper(quant))
		}
		if e.Parameters < 14.5e9 || e.Parameters > 15e9 {
			t.Errorf("%s: parameters %d, want about 14.8B from all shards", quant, e.Parameters)
		}
		checkMemory(t, e)
		if e.Fits != fits {
			t.Errorf("%s: fits %q for %d needed, want %q", quant, e.Fits, e.Memory.Total, fits)
		}
	}

	// Without one shard there is no estimate, and a problem that says why.
	var partial []hfgate.RepoFile
	for _, f := range m.Files {
		if !strings.Contains(f.Path, "q4_k_m-00002") {
			partial = append(partial, f)
		}
	}
	o = &hubOpener{}
	got, err := fit.Analyze(context.Background(), func(context.Context, string) (io.ReaderAt, error) {
		o.opened.Add(1)
		return nil, hfgate.Errorf(hfgate.EINTERNAL, "should not be opened")
	}, partial[:len(partial)-3], fit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := entryAt(t, got, "qwen2.5-coder-14b-instruct-q4_k_m-00001-of-00003.gguf")
	if e.Memory != nil || !strings.Contains(e.Problem, "2 of the 3 shards") || e.Quantization != "Q4_K_M" || e.QuantizationSource != "filename" {
		t.Errorf("incomplete shards: %+v", e)
	}
	if o.opened.Load() != 0 {
		t.Errorf("opened %d files of an incomplete split model", o.opened.Load())
	}
}

func TestAnalyzeTransformers(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	entries, m, o := analyzeRepo(t, s, hubsim.RepoTransformers, fit.Options{Budget: fit.NewBudget(16<<30, "test")})
	e := entryAt(t, entries, "model.safetensors")
	if e.Size < 200e6 || e.GGUF || e.Memory != nil || e.Quantization != "" || e.Fits != fit.NotModel {
		t.Errorf("model.safetensors: %+v, want its size only", e)
	}
	if len(entries) != len(m.Files) || o.opened.Load() != 0 {
		t.Errorf("%d entries for %d files, %d opened; want one each and no reads", len(entries), len(m.Files), o.opened.Load())
	}
}

func TestAnalyzeHeaderSources(t *testing.T) {
	s := hubsimtest.Start(t, hubsim.Options{})
	tiny, size, err := s.Catalog().Open(hubsim.RepoTiny, "main", "tiny-llama-Q4_K_M.gguf")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(tiny)
	if err != nil || int64(len(data)) != size {
		t.Fatalf("read tiny model: %d of %d bytes, %v", len(data), size, err)
	}
	open := func(_ context.Context, path string) (io.ReaderAt, error) {
		switch path {
		case "model.gguf":
			return bytes.NewReader(data), nil
		case "gated.gguf":
			return nil, hfgate.Errorf(hfgate.EGATED, "not granted")
		}
		return strings.NewReader("not a GGUF file at all, just text"), nil
	}
	files := []hfgate.RepoFile{{Path: "model.gguf", Size: size}, {Path: "broken-Q8_0.gguf", Size: 33}, {Path: "sub", IsDir: true}}
	entries, err := fit.Analyze(context.Background(), open, files, fit.Options{Budget: fit.NewBudget(1<<40, "test")})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d entries, want 2 (directories skipped)", len(entries))
	}
	if e := entries[0]; e.Quantization != "Q4_K_M" || e.QuantizationSource != "header" || e.Fits != fit.Fits {
		t.Errorf("model.gguf: quant %q from %q, fits %q; want Q4_K_M from the header, fits", e.Quantization, e.QuantizationSource, e.Fits)
	}
	if e := entries[1]; e.Quantization != "Q8_0" || e.QuantizationSource != "filename" || e.Memory != nil || !strings.Contains(e.Problem, "GGUF header") || e.Fits != fit.Unknown {
		t.Errorf("broken-Q8_0.gguf: %+v, want the file name's quantization, a problem and fits unknown", e)
	}

	// Access errors are the whole answer's, not one file's.
	files = append(files, hfgate.RepoFile{Path: "gated.gguf", Size: 100})
	if _, err := fit.Analyze(context.Background(), open, files, fit.Options{}); hfgate.ErrorCode(err) != hfgate.EGATED {
		t.Errorf("gated file: err=%v, want EGATED", err)
	}
}
