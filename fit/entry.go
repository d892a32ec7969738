package fit

import (
	"github.com/hfgate/hfgate/gguf"
)

// Entry is one model file of a repository, or every shard of a split GGUF
// model together. Fields that do not apply (the header fields of a
// safetensors file, say) are zero.
type Entry struct {
	// Path is the file's path in the repository; for a split model, that
	// of its first shard.
	Path string `json:"path"`
	// Shards are the paths of every shard of a split model, in order; nil
	// for a single file.
	Shards []string `json:"shards,omitempty"`
	// Size is the file's size in bytes; for a split model, of all shards.
	Size int64 `json:"size"`
	// GGUF reports whether the file is a GGUF model (by its name).
	GGUF bool `json:"gguf"`
	// Quantization is e.g. "Q4_K_M": from the header's general.file_type,
	// else from the file name, else the header's most common tensor type.
	Quantization string `json:"quantization,omitempty"`
	// QuantizationSource is "header" or "filename".
	QuantizationSource string `json:"quantization_source,omitempty"`
	// Architecture is general.architecture, e.g. "qwen2".
	Architecture string `json:"architecture,omitempty"`
	// Parameters is the parameter count from the tensor table (all shards).
	Parameters int64 `json:"parameters,omitempty"`
	// ModelContextLength is the context the model was trained for.
	ModelContextLength int64 `json:"model_context_length,omitempty"`
	// Memory is the estimate of what running the model takes, or nil.
	Memory *Memory `json:"memory,omitempty"`
	// Fits is Memory.Total measured against the budget; NotModel (left
	// out of JSON) when GGUF is false.
	Fits Verdict `json:"fits,omitempty"`
	// Problem says why a GGUF entry has no estimate (an unreadable header,
	// a missing shard), in words fit to show; "" otherwise.
	Problem string `json:"problem,omitempty"`
}

// Memory is an estimate of the memory (RAM, or VRAM when fully offloaded)
// llama.cpp needs to run a model, in bytes: gguf.MemoryEstimate with JSON
// names. Total = Weights + KVCache + Compute.
type Memory struct {
	Weights       int64    `json:"weights"`
	KVCache       int64    `json:"kv_cache"`
	Compute       int64    `json:"compute"`
	Total         int64    `json:"total"`
	ContextLength int64    `json:"context_length"` // tokens the KV cache holds
	Basis         []string `json:"basis,omitempty"`
}

func newMemory(e *gguf.MemoryEstimate) *Memory {
	return &Memory{Weights: e.Weights, KVCache: e.KVCache, Compute: e.Compute, Total: e.Total,
		ContextLength: e.ContextLength, Basis: e.Basis}
}
