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

// archInt returns an architecture-specific integer that fits an int64, and
// 0 when absent. For a per-layer array (some models vary head counts by
// layer) it returns the largest element.
func (f *File) archInt(field string) int64 {
	v, _ := f.Lookup(f.ArchKey(field))
	if v.Type() == TypeArray {
		us, _ := v.Uints()
		var m uint64
		for _, u := range us {
			m = max(m, u)
		}
		v = Value{typ: TypeUint64, v: m}
	}
	n, ok := v.Int()
	if !ok || n < 0 {
		return 0
	}
	return n
}

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

// ContextLength returns <arch>.context_length, the context the model was
// trained for, or 0.
func (f *File) ContextLength() int64 { return f.archInt(keyContextLength) }

// BlockCount returns <arch>.block_count, the number of layers, or 0.
func (f *File) BlockCount() int64 { return f.archInt(keyBlockCount) }

// EmbeddingLength returns <arch>.embedding_length, or 0.
func (f *File) EmbeddingLength() int64 { return f.archInt(keyEmbeddingLength) }

// HeadCount returns <arch>.attention.head_count (the largest, if per
// layer), or 0.
func (f *File) HeadCount() int64 { return f.archInt(keyHeadCount) }

// HeadCountKV returns <arch>.attention.head_count_kv, falling back to
// HeadCount when absent (a model without grouped-query attention).
func (f *File) HeadCountKV() int64 {
	if _, ok := f.Lookup(f.ArchKey(keyHeadCountKV)); ok {
		return f.archInt(keyHeadCountKV)
	}
	return f.HeadCount()
}

// KeyLength returns the size of one attention head's key:
// <arch>.attention.key_length, else EmbeddingLength/HeadCount, else 0.
func (f *File) KeyLength() int64 { return f.headDim(keyKeyLength) }

// ValueLength returns the size of one attention head's value:
// <arch>.attention.value_length, else EmbeddingLength/HeadCount, else 0.
func (f *File) ValueLength() int64 { return f.headDim(keyValueLength) }

func (f *File) headDim(field string) int64 {
	if n := f.archInt(field); n > 0 {
		return n
	}
	if h := f.HeadCount(); h > 0 {
		return f.EmbeddingLength() / h
	}
	return 0
}

// VocabSize returns the vocabulary size: <arch>.vocab_size, else the length
// of tokenizer.ggml.tokens, else the second dimension of token_embd.weight,
// else 0.
func (f *File) VocabSize() int64 {
	if n := f.archInt(keyVocabSize); n > 0 {
		return n
	}
	if v, ok := f.Lookup(KeyTokens); ok && v.Len() > 0 {
		return int64(v.Len())
	}
	for _, t := range f.Tensors {
		if t.Name == tensorTokenEmbd && len(t.Dims) == 2 {
			return int64(t.Dims[1])
		}
	}
	return 0
}

// Split describes one shard of a model split by gguf-split.
type Split struct {
	No           int // 0-based index of this shard (split.no)
	Count        int // number of shards (split.count)
	TensorsCount int // tensors in all shards together (split.tensors.count)
}

// Split returns the split.* keys, and false when the file is not a shard of
// a split model (split.count absent, or not above 1).
func (f *File) Split() (Split, bool) {
	no, _ := f.Uint(KeySplitNo)
	count, _ := f.Uint(KeySplitCount)
	tensors, _ := f.Uint(KeySplitTensorsCount)
	if count < 2 || count > 1<<16 || no >= count || tensors > 1<<32 {
		return Split{}, false
	}
	return Split{No: int(no), Count: int(count), TensorsCount: int(tensors)}, true
}
