package gguf

import (
	"fmt"
	"math"
	"math/bits"
	"strings"

	"github.com/hfgate/hfgate"
)

// Defaults for EstimateOptions.
const (
	// DefaultContextCap caps the context length Estimate assumes when none is
	// given: models advertise 32k–1M tokens, but local runs rarely use more
	// than 8k, and llama.cpp allocates the whole KV cache up front, so the
	// full advertised context would overstate what most users need.
	DefaultContextCap = 8192
	// DefaultBatchSize is llama.cpp's default physical batch (-ub, n_ubatch).
	DefaultBatchSize = 512
	// DefaultFixedOverhead is an allowance for memory llama.cpp does not
	// report as model, KV or compute buffers: the runtime and backend
	// contexts, the output buffer and allocator slack. It is a chosen round
	// figure, not a measurement.
	DefaultFixedOverhead = 256 << 20
)

// EstimateOptions tunes Estimate. The zero value estimates llama.cpp's
// defaults at DefaultContextCap tokens.
type EstimateOptions struct {
	// ContextLength is n_ctx, the tokens the KV cache holds. Zero means the
	// model's context_length capped at DefaultContextCap (or the cap when the
	// model does not say).
	ContextLength int64
	// CacheTypeK and CacheTypeV are the KV cache element types, named as
	// llama.cpp's -ctk/-ctv take them: "f16" (used when empty), "f32",
	// "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1".
	CacheTypeK, CacheTypeV string
	// FlashAttention leaves the K·Q score matrix, which flash attention
	// never materializes, out of the compute buffer.
	FlashAttention bool
	// BatchSize is n_ubatch; zero means DefaultBatchSize.
	BatchSize int64
	// FixedOverhead is added to the compute buffer; zero means
	// DefaultFixedOverhead and a negative value means none.
	FixedOverhead int64
}

// MemoryEstimate is the memory needed to run a model with llama.cpp, in
// bytes. Basis says where each figure came from, in words fit to show.
type MemoryEstimate struct {
	Weights       int64 // the tensor data
	KVCache       int64 // the KV cache at ContextLength
	Compute       int64 // compute buffer plus the fixed overhead
	Total         int64 // the sum of the three
	ContextLength int64 // the n_ctx the KV cache and compute figures assume
	Basis         []string
}

// Estimate estimates the memory (RAM, or VRAM when fully offloaded) that
// llama.cpp needs to run the model whose GGUF headers are files: one file,
// or every shard of a split model in any order.
//
//	weights = the tensor data bytes of all files (TensorDataSize summed)
//	KV      = n_ctx × Σ over layers of (row(K type, n_head_kv × head_dim_k)
//	                                   + row(V type, n_head_kv × head_dim_v))
//	          which for an f16 cache with the same heads in every layer is
//	          2 (K and V) × n_layer × n_ctx × n_head_kv × head_dim × 2 bytes
//	compute = 4 bytes × n_ubatch × max(n_vocab, n_head × n_ctx) + fixed
//	total   = weights + KV + compute
//
// n_layer is block_count; n_head_kv is attention.head_count_kv, or
// head_count when absent (no grouped-query attention), and may be a
// per-layer array (layers with 0 heads, as in hybrid recurrent models, hold
// no cache); head_dim_k and head_dim_v are attention.key_length and
// value_length, else embedding_length / head_count. row() is ggml's row
// size, so quantized caches count whole blocks. The compute term follows
// llama.cpp's worst-case graph, whose fp32 buffers peak at either the
// logits of a whole batch (n_vocab × n_ubatch) or, without flash attention,
// one layer's K·Q scores (n_head × n_ctx × n_ubatch); fixed is
// DefaultFixedOverhead. Not modelled: sliding-window layers (which need a
// smaller cache, so the figure errs high), compressed-latent caches
// (DeepSeek MLA), recurrent state, and multimodal projector files.
//
// Errors are EINVALID: no files, files that are not all the shards of one
// model, no general.architecture, an unknown tensor or cache type, or
// metadata too large to be real.
func Estimate(files []*File, opts EstimateOptions) (*MemoryEstimate, error) {
	main, err := mainFile(files)
	if err != nil {
		return nil, err
	}
	e := &MemoryEstimate{}
	for _, f := range files {
		n, err := f.TensorDataSize()
		if err != nil {
			return nil, err
		}
		e.Weights += n
	}
	e.note("weights: tensor data of %d file(s), %d bytes", len(files), e.Weights)
	if e.ContextLength, err = contextLength(main, opts.ContextLength, e); err != nil {
		return nil, err
	}
	if e.KVCache, err = kvCache(main, e.ContextLength, opts, e); err != nil {
		return nil, err
	}
	if e.Compute, err = compute(main, e.ContextLength, opts, e); err != nil {
		return nil, err
	}
	var c checked
	e.Total = c.add(c.add(e.Weights, e.KVCache), e.Compute)
	return e, c.err
}

func (e *MemoryEstimate) note(format string, args ...any) {
	e.Basis = append(e.Basis, fmt.Sprintf(format, args...))
}

// mainFile checks that files are one model or all the shards of one, and
// returns the file holding the model's metadata.
func mainFile(files []*File) (*File, error) {
	if len(files) == 0 {
		return nil, hfgate.Errorf(hfgate.EINVALID, "no GGUF header to estimate from")
	}
	seen, tensors := map[int]bool{}, 0
	first, split := files[0].Split()
	for _, f := range files {
		s, ok := f.Split()
		if ok != split || s.Count != first.Count || seen[s.No] {
			return nil, hfgate.Errorf(hfgate.EINVALID,
				"these %d GGUF files are not the shards of one split model; pass one model file, or every shard of one", len(files))
		}
		seen[s.No] = true
		tensors += len(f.Tensors)
	}
	switch {
	case split && len(files) != first.Count:
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"the model is split into %d files but %d were given; pass every shard (…-0000N-of-%05d.gguf)",
			first.Count, len(files), first.Count)
	case split && first.TensorsCount != 0 && tensors != first.TensorsCount:
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"the shards hold %d tensors but split.tensors.count says %d; a shard is from another model or damaged",
			tensors, first.TensorsCount)
	case !split && len(files) > 1:
		return nil, hfgate.Errorf(hfgate.EINVALID,
			"%d GGUF files given but they are not shards of a split model; estimate one model at a time", len(files))
	}
	for _, f := range files {
		if f.Architecture() != "" {
			return f, nil
		}
	}
	return nil, hfgate.Errorf(hfgate.EINVALID,
		"the GGUF header has no %s; for a split model, include the first shard", KeyArchitecture)
}

// Bounds beyond which metadata is taken as corrupt rather than estimated.
const (
	maxContext = 1 << 24 // 16M tokens
	maxLayers  = 1 << 14
	maxHeads   = 1 << 14
	maxHeadDim = 1 << 16
)

func contextLength(f *File, want int64, e *MemoryEstimate) (int64, error) {
	model := f.ContextLength()
	switch {
	case want < 0 || want > maxContext:
		return 0, hfgate.Errorf(hfgate.EINVALID, "context length %d is out of range (1 to %d)", want, maxContext)
	case want > 0:
		e.note("n_ctx %d: as requested (%s is %d)", want, f.ArchKey(keyContextLength), model)
		return want, nil
	case model == 0:
		e.note("n_ctx %d: %s absent, used the default cap", DefaultContextCap, f.ArchKey(keyContextLength))
		return DefaultContextCap, nil
	case model > DefaultContextCap:
		e.note("n_ctx %d: %s is %d, capped at %d", DefaultContextCap, f.ArchKey(keyContextLength), model, DefaultContextCap)
		return DefaultContextCap, nil
	}
	e.note("n_ctx %d: %s", model, f.ArchKey(keyContextLength))
	return model, nil
}

// cacheType resolves a -ctk/-ctv name.
func cacheType(name string) (GGMLType, error) {
	if name == "" {
		name = "f16"
	}
	switch strings.ToLower(name) {
	case "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1":
		t, _ := ParseGGMLType(name)
		return t, nil
	}
	return 0, hfgate.Errorf(hfgate.EINVALID,
		"KV cache type %q is not one llama.cpp supports; use f16, f32, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0 or q5_1", name)
}

func implausible(what string, n int64) error {
	return hfgate.Errorf(hfgate.EINVALID, "the GGUF header says %s is %d, which is not plausible; the file may be damaged", what, n)
}

// checked does int64 arithmetic that records overflow instead of wrapping.
type checked struct{ err error }

func (c *checked) mul(a, b int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if a < 0 || b < 0 || hi != 0 || lo > math.MaxInt64 {
		c.err = hfgate.Errorf(hfgate.EINVALID, "the memory estimate overflows; the GGUF metadata is not plausible")
		return 0
	}
	return int64(lo)
}

func (c *checked) add(a, b int64) int64 {
	if a < 0 || b < 0 || a > math.MaxInt64-b {
		c.err = hfgate.Errorf(hfgate.EINVALID, "the memory estimate overflows; the GGUF metadata is not plausible")
		return 0
	}
	return a + b
}
