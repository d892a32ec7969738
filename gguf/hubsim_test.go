package gguf_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hfgate/hfgate/gguf"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// rangeReaderAt is a minimal HTTP io.ReaderAt: each ReadAt is one GET with
// a Range header, following the Hub's redirect to its CDN.
type rangeReaderAt struct {
	ctx      context.Context
	url      string
	requests atomic.Int64
}

func (r *rangeReaderAt) get(first, last int64) (*http.Response, error) {
	r.requests.Add(1)
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", first, last))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusPartialContent {
		resp.Body.Close()
		return nil, fmt.Errorf("GET %s: %s, want 206", r.url, resp.Status)
	}
	return resp, nil
}

func (r *rangeReaderAt) ReadAt(p []byte, off int64) (int, error) {
	resp, err := r.get(off, off+int64(len(p))-1)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.ReadFull(resp.Body, p)
	if err == io.ErrUnexpectedEOF {
		err = io.EOF
	}
	return n, err
}

// size asks for the first byte and reads the total from Content-Range.
func (r *rangeReaderAt) size() (int64, error) {
	resp, err := r.get(0, 0)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	_, total, _ := strings.Cut(resp.Header.Get("Content-Range"), "/")
	return strconv.ParseInt(total, 10, 64)
}

// headFiles returns the files at the head of a repo's main branch.
func headFiles(r *hubsim.Repo) []*hubsim.File {
	for i := len(r.Commits) - 1; i >= 0; i-- {
		if r.Commits[i].PR == 0 {
			return r.Commits[i].Files
		}
	}
	return r.Files
}

// wantParams counts a llama or qwen2 model's parameters from its
// hyper-parameters, the way llama.cpp lays out its tensors.
func wantParams(m *hubsim.ModelSpec) int64 {
	embd, ff, vocab := int64(m.EmbeddingLength), int64(m.FeedForwardLength), int64(m.VocabSize)
	hd := int64(m.HeadDim)
	if hd == 0 {
		hd = embd / int64(m.HeadCount)
	}
	q, kv := int64(m.HeadCount)*hd, int64(m.HeadCountKV)*hd
	layer := 2*embd + embd*q + 2*embd*kv + q*embd + 3*embd*ff
	if m.Arch == "qwen2" {
		layer += q + 2*kv
	}
	n := vocab*embd + embd + int64(m.BlockCount)*layer
	if !m.TiedEmbeddings {
		n += vocab * embd
	}
	if m.RopeFreqs {
		n += hd / 2
	}
	return n
}

// TestHubsimCrossCheck reads headers that hubsim's own, independent GGUF
// writer generates, over HTTP Range requests, and checks them against the
// catalog they were generated from.
func TestHubsimCrossCheck(t *testing.T) {
	cat, err := hubsim.BuiltinCatalog()
	if err != nil {
		t.Fatal(err)
	}
	s := hubsimtest.Start(t, hubsim.Options{})
	repos := map[string]*hubsim.Repo{}
	for _, r := range cat.Repos {
		repos[r.ID] = r
	}
	read := func(t *testing.T, repo, path string) (*gguf.File, *hubsim.GGUFSpec, int64, *rangeReaderAt) {
		t.Helper()
		var spec *hubsim.GGUFSpec
		for _, f := range headFiles(repos[repo]) {
			if f.Path == path {
				spec = f.GGUF
			}
		}
		if spec == nil {
			t.Fatalf("%s/%s is not a GGUF file of the catalog", repo, path)
		}
		r := &rangeReaderAt{ctx: t.Context(), url: s.URL() + "/" + repo + "/resolve/main/" + path}
		size, err := r.size()
		if err != nil {
			t.Fatal(err)
		}
		f, err := gguf.Read(t.Context(), r, size)
		if err != nil {
			t.Fatalf("Read %s: %v", path, err)
		}
		return f, spec, size, r
	}

	for _, tt := range []struct{ repo, path string }{
		{"hubsim/tiny-llama-GGUF", "tiny-llama-Q2_K.gguf"},
		{"hubsim/tiny-llama-GGUF", "tiny-llama-Q4_K_M.gguf"},
		{"hubsim/tiny-llama-GGUF", "tiny-llama-Q8_0.gguf"},
		{"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "qwen2.5-coder-7b-instruct-q4_k_m.gguf"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			f, spec, size, r := read(t, tt.repo, tt.path)
			m := cat.Models[spec.Model]
			if got := f.Architecture(); got != m.Arch {
				t.Errorf("Architecture = %q, want %q", got, m.Arch)
			}
			if got := f.Quantization(); got != spec.Quant {
				t.Errorf("Quantization = %q, want %q", got, spec.Quant)
			}
			if got, want := gguf.QuantizationFromFilename(tt.path), spec.Quant; got != want {
				t.Errorf("QuantizationFromFilename = %q, want %q", got, want)
			}
			if got, want := f.ParameterCount(), wantParams(m); got != want {
				t.Errorf("ParameterCount = %d, want %d", got, want)
			}
			if f.ContextLength() != int64(m.ContextLength) || f.BlockCount() != int64(m.BlockCount) ||
				f.HeadCountKV() != int64(m.HeadCountKV) || f.VocabSize() != int64(m.VocabSize) {
				t.Errorf("ctx %d, layers %d, KV heads %d, vocab %d; catalog says %d, %d, %d, %d",
					f.ContextLength(), f.BlockCount(), f.HeadCountKV(), f.VocabSize(),
					m.ContextLength, m.BlockCount, m.HeadCountKV, m.VocabSize)
			}
			// Both writers' block sizes agree if the last tensor ends where
			// the file does (up to alignment padding).
			var end int64
			for _, ti := range f.Tensors {
				n, ok := ti.Size()
				if !ok {
					t.Fatalf("tensor %s has unknown type %v", ti.Name, ti.Type)
				}
				end = max(end, f.DataOffset+ti.Offset+n)
			}
			if end > size || size-end >= int64(f.Alignment) {
				t.Errorf("tensor data ends at %d, the file at %d", end, size)
			}
			n := r.requests.Load()
			if n > 4 {
				t.Errorf("%d HTTP requests for the header, want at most 4", n)
			}
			t.Logf("%d-byte header of a %d-byte file in %d requests (one for the size)", f.DataOffset, size, n)
		})
	}

	t.Run("published Qwen2.5-Coder-7B figure", func(t *testing.T) {
		f, _, _, _ := read(t, "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "qwen2.5-coder-7b-instruct-q4_k_m.gguf")
		if got := f.ParameterCount(); got != 7_615_616_512 {
			t.Errorf("ParameterCount = %d, want the published 7,615,616,512", got)
		}
	})

	t.Run("split Qwen2.5-Coder-14B", func(t *testing.T) {
		var files []*gguf.File
		var params, dataBytes int64
		var spec *hubsim.GGUFSpec
		for i := 1; i <= 3; i++ {
			path := fmt.Sprintf("qwen2.5-coder-14b-instruct-q4_k_m-%05d-of-00003.gguf", i)
			f, sp, size, _ := read(t, "Qwen/Qwen2.5-Coder-14B-Instruct-GGUF", path)
			if sp.Split != i {
				t.Fatalf("catalog split %d for %s", sp.Split, path)
			}
			if s, ok := f.Split(); !ok || s.No != i-1 || s.Count != 3 {
				t.Errorf("%s: Split = %+v, %v", path, s, ok)
			}
			files, spec = append(files, f), sp
			params += f.ParameterCount()
			dataBytes += size - f.DataOffset
		}
		m := cat.Models[spec.Model]
		if got, want := files[0].Quantization(), spec.Quant; got != want {
			t.Errorf("first shard Quantization = %q, want %q", got, want)
		}
		if want := wantParams(m); params != want {
			t.Errorf("parameters over shards = %d, want %d", params, want)
		}
		e, err := gguf.Estimate(files, gguf.EstimateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Weights are the tensor bytes; the files hold them plus under 32
		// bytes of alignment padding per tensor.
		tensors := int64(len(files[0].Tensors) + len(files[1].Tensors) + len(files[2].Tensors))
		if e.Weights > dataBytes || dataBytes-e.Weights >= 32*tensors {
			t.Errorf("Weights = %d, the shards' data sections hold %d", e.Weights, dataBytes)
		}
		// f16 cache: 2 × layers × 8192 × KV heads × head size × 2 bytes.
		hd := int64(m.EmbeddingLength / m.HeadCount)
		if want := 2 * int64(m.BlockCount) * 8192 * int64(m.HeadCountKV) * hd * 2; e.KVCache != want {
			t.Errorf("KVCache = %d, want %d", e.KVCache, want)
		}
	})
}
