package gguf

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
)

func qwen2File(tb testing.TB) *File {
	tb.Helper()
	b, _ := fixture{kv: qwen2KV(), tensors: qwen2Tensors(152064)}.encode()
	return mustRead(tb, b)
}

func TestEstimateQwen2_7B(t *testing.T) {
	const (
		weights = 4_677_120_000 // TestQwen2_7B
		mib     = 1 << 20
		// 2 (K,V) × 28 layers × 8192 tokens × 4 KV heads × 128 × 2 bytes (f16):
		// the "KV self size = 448.00 MiB" llama.cpp logs for this model at 8k.
		kvF16 = 448 * mib
		// K and V rows of 512 elements in q8_0: 16 blocks × 34 bytes each.
		kvQ8 = 28 * (544 + 544) * 8192
		// 4 B × 512 × max(152064 vocab, 28 heads × 8192) + 256 MiB.
		computeKQ = 4*512*28*8192 + 256*mib
		computeFA = 4*512*152064 + 256*mib
	)
	f := qwen2File(t)
	for _, tt := range []struct {
		name                    string
		opts                    EstimateOptions
		ctx, kv, compute, total int64
	}{
		{"defaults", EstimateOptions{}, 8192, kvF16, computeKQ, weights + kvF16 + computeKQ},
		{"q8_0 cache", EstimateOptions{CacheTypeK: "q8_0", CacheTypeV: "Q8_0"}, 8192, kvQ8, computeKQ, weights + kvQ8 + computeKQ},
		{"flash attention", EstimateOptions{FlashAttention: true}, 8192, kvF16, computeFA, weights + kvF16 + computeFA},
		{"full context", EstimateOptions{ContextLength: 32768}, 32768, 4 * kvF16, 4*512*28*32768 + 256*mib, 0},
		{"no fixed overhead", EstimateOptions{FixedOverhead: -1}, 8192, kvF16, computeKQ - 256*mib, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Estimate([]*File{f}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if e.Weights != weights || e.ContextLength != tt.ctx || e.KVCache != tt.kv || e.Compute != tt.compute {
				t.Errorf("got weights %d, n_ctx %d, KV %d, compute %d; want %d, %d, %d, %d\n%s",
					e.Weights, e.ContextLength, e.KVCache, e.Compute, int64(weights), tt.ctx, tt.kv, tt.compute,
					strings.Join(e.Basis, "\n"))
			}
			if tt.total != 0 && e.Total != tt.total {
				t.Errorf("Total = %d, want %d", e.Total, tt.total)
			}
			if e.Total != e.Weights+e.KVCache+e.Compute {
				t.Errorf("Total %d is not the sum of its parts", e.Total)
			}
		})
	}
	e, _ := Estimate([]*File{f}, EstimateOptions{})
	basis := strings.Join(e.Basis, "\n")
	for _, want := range []string{"qwen2.attention.head_count_kv = 4", "qwen2.context_length is 32768, capped at 8192",
		"K 128 (embedding_length / head_count)"} {
		if !strings.Contains(basis, want) {
			t.Errorf("Basis lacks %q:\n%s", want, basis)
		}
	}
}

// split returns the qwen2 model as n shards the way gguf-split writes them:
// all metadata in the first, split.* keys in each.
func split(tb testing.TB, n int) []*File {
	tb.Helper()
	tensors := qwen2Tensors(152064)
	var files []*File
	per := (len(tensors) + n - 1) / n
	for i := range n {
		kv := kvs("split.no", uint16(i), "split.count", uint16(n), "split.tensors.count", int32(len(tensors)))
		if i == 0 {
			kv = append(qwen2KV(), kv...)
		}
		part := withOffsets(tensors[i*per : min((i+1)*per, len(tensors))])
		b, _ := fixture{kv: kv, tensors: part}.encode()
		files = append(files, mustRead(tb, b))
	}
	return files
}

func TestEstimateSplit(t *testing.T) {
	whole, err := Estimate([]*File{qwen2File(t)}, EstimateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shards := split(t, 3)
	if s, ok := shards[2].Split(); !ok || s != (Split{No: 2, Count: 3, TensorsCount: 339}) {
		t.Errorf("Split = %+v, %v", s, ok)
	}
	if got := shards[0].ParameterCount() + shards[1].ParameterCount() + shards[2].ParameterCount(); got != 7_615_616_512 {
		t.Errorf("parameters over shards = %d", got)
	}
	// Any order; the metadata comes from the first shard.
	e, err := Estimate([]*File{shards[2], shards[0], shards[1]}, EstimateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e.Weights != whole.Weights || e.KVCache != whole.KVCache || e.Total != whole.Total {
		t.Errorf("split estimate %+v, want the unsplit %+v", e, whole)
	}

	other := split(t, 2)
	for _, tt := range []struct {
		name  string
		files []*File
	}{
		{"missing shard", shards[:2]},
		{"one shard alone", shards[1:2]},
		{"duplicate shard", []*File{shards[0], shards[1], shards[1]}},
		{"shards of two splits", []*File{shards[0], shards[1], other[1]}},
		{"two unsplit models", []*File{qwen2File(t), qwen2File(t)}},
		{"nothing", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Estimate(tt.files, EstimateOptions{})
			if hfgate.ErrorCode(err) != hfgate.EINVALID {
				t.Errorf("err = %v, want EINVALID", err)
			}
		})
	}
}

func TestEstimateFallbacks(t *testing.T) {
	estimate := func(t *testing.T, kv []KV, opts EstimateOptions) *MemoryEstimate {
		t.Helper()
		b, _ := fixture{kv: kv}.encode()
		e, err := Estimate([]*File{mustRead(t, b)}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	t.Run("no head_count_kv", func(t *testing.T) {
		// Llama 2 7B: 32 layers, 32 heads, no GQA, 4k context: 2 GiB of f16 cache.
		e := estimate(t, kvs("general.architecture", "llama", "llama.context_length", uint32(4096),
			"llama.block_count", uint32(32), "llama.embedding_length", uint32(4096),
			"llama.attention.head_count", uint32(32)), EstimateOptions{})
		if e.ContextLength != 4096 || e.KVCache != 2<<30 {
			t.Errorf("n_ctx %d, KV %d, want 4096, %d", e.ContextLength, e.KVCache, 2<<30)
		}
		if b := strings.Join(e.Basis, "\n"); !strings.Contains(b, "head_count_kv absent, used llama.attention.head_count = 32") {
			t.Errorf("Basis does not say head_count was used:\n%s", b)
		}
	})
	t.Run("per-layer KV heads", func(t *testing.T) {
		// Two attention layers with 8 KV heads of 64+32, two recurrent ones.
		e := estimate(t, kvs("general.architecture", "hybrid", "hybrid.block_count", uint32(4),
			"hybrid.attention.head_count", uint32(16), "hybrid.attention.head_count_kv", []uint32{8, 0, 8, 0},
			"hybrid.attention.key_length", uint32(64), "hybrid.attention.value_length", uint32(32),
		), EstimateOptions{ContextLength: 1000})
		if want := int64(2 * (8*64 + 8*32) * 2 * 1000); e.KVCache != want {
			t.Errorf("KV = %d, want %d", e.KVCache, want)
		}
	})
	t.Run("no attention metadata", func(t *testing.T) {
		e := estimate(t, kvs("general.architecture", "mamba", "mamba.block_count", uint32(64)), EstimateOptions{})
		if e.KVCache != 0 || e.ContextLength != DefaultContextCap {
			t.Errorf("KV %d, n_ctx %d", e.KVCache, e.ContextLength)
		}
		if b := strings.Join(e.Basis, "\n"); !strings.Contains(b, "not estimated") {
			t.Errorf("Basis does not say the KV cache was not estimated:\n%s", b)
		}
	})
}

func TestEstimateErrors(t *testing.T) {
	f := qwen2File(t)
	for _, tt := range []struct {
		name string
		kv   []KV
		opts EstimateOptions
	}{
		{"bad cache type", nil, EstimateOptions{CacheTypeK: "q3_k"}},
		{"negative context", nil, EstimateOptions{ContextLength: -1}},
		{"huge context", nil, EstimateOptions{ContextLength: 1 << 40}},
		{"no architecture", kvs("llama.block_count", uint32(2)), EstimateOptions{}},
		{"implausible layers", kvs("general.architecture", "x", "x.block_count", uint64(1<<40), "x.attention.head_count", uint32(1)), EstimateOptions{}},
		{"implausible vocab", kvs("general.architecture", "x", "x.vocab_size", uint64(1<<62)), EstimateOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := f
			if tt.kv != nil {
				b, _ := fixture{kv: tt.kv}.encode()
				file = mustRead(t, b)
			}
			if _, err := Estimate([]*File{file}, tt.opts); hfgate.ErrorCode(err) != hfgate.EINVALID {
				t.Errorf("err = %v, want EINVALID", err)
			}
		})
	}
}
