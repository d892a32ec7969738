package hubsim

import "fmt"

// ggufLayout is the structure of one generated GGUF file (or shard): its
// metadata, its tensors with their types and offsets, and its sizes.
type ggufLayout struct {
	model     *ModelSpec
	tok       *TokenizerSpec
	vocab     *vocab
	quant     quantRecipe
	spec      GGUFSpec
	total     int             // tensors in the whole model, over all shards
	tensors   []ggufTensorRef // this file's tensors
	dataSize  int64           // aligned tensor data
	headerLen int64           // header and padding: tensor data starts here
}

func newGGUFLayout(m *ModelSpec, tok *TokenizerSpec, v *vocab, spec GGUFSpec) (*ggufLayout, error) {
	q, err := lookupQuant(spec.Quant)
	if err != nil {
		return nil, err
	}
	ts, err := ggufTensors(m)
	if err != nil {
		return nil, err
	}
	for i := range ts {
		ts[i].typ = q.typeFor(&ts[i], m.BlockCount)
	}
	l := &ggufLayout{model: m, tok: tok, vocab: v, quant: q, spec: spec, total: len(ts)}
	lo, hi := 0, len(ts)
	if spec.Splits > 1 {
		if lo, hi = shardRange(ts, spec.Split, spec.Splits); lo >= hi {
			return nil, fmt.Errorf("shard %d of %d would hold no tensors", spec.Split, spec.Splits)
		}
	}
	for i := lo; i < hi; i++ {
		l.tensors = append(l.tensors, ggufTensorRef{tensorInfo: &ts[i], offset: l.dataSize})
		l.dataSize += alignUp(ts[i].typ.tensorBytes(ts[i].elements()), ggufAlignment)
	}
	_, l.headerLen = encodeGGUF(true, l.writeKV, l.tensors)
	return l, nil
}

// shardRange picks shard k (1-based) of n: consecutive tensors whose data
// starts in the k-th n-th of the model's total data, so shards have about
// equal sizes, like gguf-split --split-max-size.
func shardRange(ts []tensorInfo, k, n int) (lo, hi int) {
	var total int64
	for i := range ts {
		total += alignUp(ts[i].typ.tensorBytes(ts[i].elements()), ggufAlignment)
	}
	lo, hi = -1, len(ts)
	var off int64
	for i := range ts {
		shard := int(off*int64(n)/total) + 1
		if shard == k && lo < 0 {
			lo = i
		}
		if shard > k {
			hi = i
			break
		}
		off += alignUp(ts[i].typ.tensorBytes(ts[i].elements()), ggufAlignment)
	}
	if lo < 0 {
		return 0, 0
	}
	return lo, hi
}

func (l *ggufLayout) size() int64 { return l.headerLen + l.dataSize }

// header builds the header bytes (several MB for a large vocabulary).
func (l *ggufLayout) header() []byte {
	b, _ := encodeGGUF(false, l.writeKV, l.tensors)
	return b
}

// writeKV writes the metadata in the order llama.cpp's converter does:
// general.*, architecture hyper-parameters, file type, tokenizer. A split
// shard other than the first holds only the split.* keys, as gguf-split
// writes them.
func (l *ggufLayout) writeKV(e *ggufEnc) {
	m, spec := l.model, l.spec
	if spec.Splits <= 1 || spec.Split == 1 {
		a := m.Arch
		name := m.Name
		if spec.Name != "" {
			name = spec.Name
		}
		e.kvString("general.architecture", a)
		e.kvString("general.type", "model")
		e.kvString("general.name", name)
		optString(e, "general.finetune", m.Finetune)
		optString(e, "general.basename", m.Basename)
		optString(e, "general.size_label", m.SizeLabel)
		optString(e, "general.license", m.License)
		e.kvU32(a+".block_count", uint32(m.BlockCount))
		e.kvU32(a+".context_length", uint32(m.ContextLength))
		e.kvU32(a+".embedding_length", uint32(m.EmbeddingLength))
		e.kvU32(a+".feed_forward_length", uint32(m.FeedForwardLength))
		e.kvU32(a+".attention.head_count", uint32(m.HeadCount))
		e.kvU32(a+".attention.head_count_kv", uint32(m.HeadCountKV))
		if m.RopeFreqBase > 0 {
			e.kvF32(a+".rope.freq_base", m.RopeFreqBase)
		}
		if a == "starcoder2" {
			e.kvF32(a+".attention.layer_norm_epsilon", m.NormEpsilon)
		} else {
			e.kvF32(a+".attention.layer_norm_rms_epsilon", m.NormEpsilon)
		}
		if a == "llama" {
			e.kvU32(a+".attention.key_length", uint32(m.headDim()))
			e.kvU32(a+".attention.value_length", uint32(m.headDim()))
			e.kvU32(a+".vocab_size", uint32(m.VocabSize))
			e.kvU32(a+".rope.dimension_count", uint32(m.headDim()))
		}
		e.kvU32("general.file_type", l.quant.fileType)
		e.kvU32("general.quantization_version", 2)
		e.kvU32("general.alignment", ggufAlignment)
		l.writeTokenizerKV(e)
	}
	if spec.Splits > 1 {
		e.kvU16("split.no", uint16(spec.Split-1))
		e.kvU16("split.count", uint16(spec.Splits))
		e.kvI32("split.tensors.count", int32(l.total))
	}
}

func (l *ggufLayout) writeTokenizerKV(e *ggufEnc) {
	t, v := l.tok, l.vocab
	e.kvString("tokenizer.ggml.model", t.Model)
	optString(e, "tokenizer.ggml.pre", t.Pre)
	e.kvStrings("tokenizer.ggml.tokens", v.tokens)
	if v.scores != nil {
		e.kvF32s("tokenizer.ggml.scores", v.scores)
	}
	e.kvI32s("tokenizer.ggml.token_type", v.types)
	if t.Model == "gpt2" {
		e.kvStrings("tokenizer.ggml.merges", v.merges)
	}
	for _, s := range []struct{ key, tok string }{
		{"tokenizer.ggml.bos_token_id", t.BOS},
		{"tokenizer.ggml.eos_token_id", t.EOS},
		{"tokenizer.ggml.unknown_token_id", t.UNK},
		{"tokenizer.ggml.padding_token_id", t.PAD},
	} {
		if id, ok := v.id(s.tok); s.tok != "" && ok {
			e.kvU32(s.key, uint32(id))
		}
	}
	e.kvBool("tokenizer.ggml.add_bos_token", t.AddBOS)
	optString(e, "tokenizer.chat_template", t.ChatTemplate)
}

func optString(e *ggufEnc, k, v string) {
	if v != "" {
		e.kvString(k, v)
	}
}
