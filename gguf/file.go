package gguf

import (
	"encoding/binary"

	"github.com/hfgate/hfgate"
)

// DefaultAlignment is the alignment of tensor data when general.alignment
// is absent.
const DefaultAlignment = 32

// Well-known metadata keys. Keys under the architecture's name (such as
// "llama.context_length") are built with File.ArchKey.
const (
	KeyArchitecture      = "general.architecture"
	KeyName              = "general.name"
	KeyFileType          = "general.file_type"
	KeyAlignment         = "general.alignment"
	KeySplitNo           = "split.no"
	KeySplitCount        = "split.count"
	KeySplitTensorsCount = "split.tensors.count"
	KeyTokens            = "tokenizer.ggml.tokens"
	keyContextLength     = "context_length"
	keyEmbeddingLength   = "embedding_length"
	keyBlockCount        = "block_count"
	keyHeadCount         = "attention.head_count"
	keyHeadCountKV       = "attention.head_count_kv"
	keyKeyLength         = "attention.key_length"
	keyValueLength       = "attention.value_length"
	keyVocabSize         = "vocab_size"
	tensorTokenEmbd      = "token_embd.weight"
)

// File is a parsed GGUF header. It is immutable once Read returns it, so it
// is safe for concurrent use. The zero File has no metadata and no tensors:
// every lookup reports false and every derived figure is zero or "".
type File struct {
	Version   uint32           // 2 or 3
	ByteOrder binary.ByteOrder // binary.LittleEndian or binary.BigEndian
	KV        []KV             // metadata in file order; keys are unique
	Tensors   []TensorInfo     // in file order
	Alignment uint64           // of tensor data: general.alignment or DefaultAlignment
	// DataOffset is where tensor data starts: the size of the header,
	// padding included.
	DataOffset int64

	index map[string]int // key -> position in KV
}

// Lookup returns the value of a metadata key.
func (f *File) Lookup(key string) (Value, bool) {
	i, ok := f.index[key]
	if !ok {
		return Value{}, false
	}
	return f.KV[i].Value, true
}

// String returns a string value, and false if the key is absent or not a
// string.
func (f *File) String(key string) (string, bool) {
	v, _ := f.Lookup(key)
	return v.Text()
}

// Uint returns a non-negative integer value of any integer type, and false
// if the key is absent or not such a value.
func (f *File) Uint(key string) (uint64, bool) {
	v, _ := f.Lookup(key)
	return v.Uint()
}

// Int returns an integer value of any integer type that fits an int64.
func (f *File) Int(key string) (int64, bool) {
	v, _ := f.Lookup(key)
	return v.Int()
}

// Float returns a float or integer value as a float64.
func (f *File) Float(key string) (float64, bool) {
	v, _ := f.Lookup(key)
	return v.Float()
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, bool) {
	v, _ := f.Lookup(key)
	return v.Bool()
}

// Strings returns an array of strings.
func (f *File) Strings(key string) ([]string, bool) {
	v, _ := f.Lookup(key)
	return v.Strings()
}

// ArchKey returns the key of an architecture-specific field, e.g.
// ArchKey("context_length") is "qwen2.context_length" for a qwen2 model.
func (f *File) ArchKey(field string) string { return f.Architecture() + "." + field }

// Architecture returns general.architecture, e.g. "llama" or "qwen2", or ""
// when absent (as in the second and later shards of a split model).
func (f *File) Architecture() string { s, _ := f.String(KeyArchitecture); return s }

// Name returns general.name, or "".
func (f *File) Name() string { s, _ := f.String(KeyName); return s }

// FileType returns general.file_type, and false when absent.
func (f *File) FileType() (FileType, bool) {
	u, ok := f.Uint(KeyFileType)
	if !ok || u > 1<<32-1 {
		return 0, false
	}
	return FileType(u), true
}

// Quantization returns the quantization name: that of general.file_type
// (e.g. "Q4_K_M") when present and known, else the name of the tensor type
// that holds the most elements (e.g. "Q4_K"), else "".
func (f *File) Quantization() string {
	if t, ok := f.FileType(); ok && t.Name() != "" {
		return t.Name()
	}
	if t, ok := f.dominantType(); ok {
		return t.String()
	}
	return ""
}

func (f *File) dominantType() (GGMLType, bool) {
	counts := map[GGMLType]int64{}
	for _, t := range f.Tensors {
		counts[t.Type] += t.Elements()
	}
	best, most := GGMLType(0), int64(-1)
	for t, n := range counts {
		if n > most || (n == most && t < best) {
			best, most = t, n
		}
	}
	return best, most >= 0
}

// ParameterCount returns the number of parameters: the sum of all tensors'
// element counts (GGUF has no key for it). For a split model it counts only
// this shard's tensors.
func (f *File) ParameterCount() int64 {
	var n int64
	for _, t := range f.Tensors {
		n += t.Elements()
	}
	return n
}

// TensorDataSize returns the bytes of all this file's tensors, from the
// ggml block sizes of their types. It fails with EINVALID when a tensor has
// a type this package does not know.
func (f *File) TensorDataSize() (int64, error) {
	var n int64
	for _, t := range f.Tensors {
		s, ok := t.Size()
		if !ok {
			return 0, hfgate.Errorf(hfgate.EINVALID,
				"tensor %q has ggml type %d, which hfgate does not know; update hfgate", t.Name, uint32(t.Type))
		}
		n += s
	}
	return n, nil
}
