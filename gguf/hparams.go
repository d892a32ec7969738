package gguf

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
