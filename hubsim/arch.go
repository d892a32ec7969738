package hubsim

import "fmt"

// tensorRole tells the quantization rules what a tensor is.
type tensorRole int

const (
	roleWeight  tensorRole = iota // any other 2-D weight
	roleNorm                      // norm weights and biases: always F32
	roleOutput                    // output.weight, or token_embd.weight when tied
	roleAttnV                     // attn_v.weight
	roleFFNDown                   // ffn_down.weight
)

// tensorInfo is one tensor of a GGUF tensor table. dims are in GGUF order:
// the innermost (row) dimension first.
type tensorInfo struct {
	name  string
	dims  []int64
	role  tensorRole
	layer int
	typ   ggmlType // set by the quantization
}

func (t *tensorInfo) elements() int64 {
	n := int64(1)
	for _, d := range t.dims {
		n *= d
	}
	return n
}

// ggufTensors returns the GGUF tensor table of m with llama.cpp's tensor
// names and shapes, in the order convert_hf_to_gguf writes them.
func ggufTensors(m *ModelSpec) ([]tensorInfo, error) {
	embd, ff, vocab := int64(m.EmbeddingLength), int64(m.FeedForwardLength), int64(m.VocabSize)
	qDim := int64(m.HeadCount * m.headDim())
	kvDim := int64(m.HeadCountKV * m.headDim())
	var ts []tensorInfo
	add := func(layer int, name string, role tensorRole, dims ...int64) {
		if layer >= 0 {
			name = fmt.Sprintf("blk.%d.%s", layer, name)
		}
		ts = append(ts, tensorInfo{name: name, dims: dims, role: role, layer: layer})
	}
	embdRole := roleWeight
	if m.TiedEmbeddings {
		embdRole = roleOutput
	}
	switch m.Arch {
	case "llama", "qwen2":
		if m.RopeFreqs {
			add(-1, "rope_freqs.weight", roleNorm, int64(m.headDim()/2))
		}
		add(-1, "token_embd.weight", embdRole, embd, vocab)
		for i := range m.BlockCount {
			add(i, "attn_norm.weight", roleNorm, embd)
			add(i, "attn_q.weight", roleWeight, embd, qDim)
			add(i, "attn_k.weight", roleWeight, embd, kvDim)
			add(i, "attn_v.weight", roleAttnV, embd, kvDim)
			if m.Arch == "qwen2" {
				add(i, "attn_q.bias", roleNorm, qDim)
				add(i, "attn_k.bias", roleNorm, kvDim)
				add(i, "attn_v.bias", roleNorm, kvDim)
			}
			add(i, "attn_output.weight", roleWeight, qDim, embd)
			add(i, "ffn_norm.weight", roleNorm, embd)
			add(i, "ffn_gate.weight", roleWeight, embd, ff)
			add(i, "ffn_up.weight", roleWeight, embd, ff)
			add(i, "ffn_down.weight", roleFFNDown, ff, embd)
		}
		add(-1, "output_norm.weight", roleNorm, embd)
	case "starcoder2":
		add(-1, "token_embd.weight", embdRole, embd, vocab)
		for i := range m.BlockCount {
			add(i, "attn_norm.weight", roleNorm, embd)
			add(i, "attn_norm.bias", roleNorm, embd)
			add(i, "attn_q.weight", roleWeight, embd, qDim)
			add(i, "attn_q.bias", roleNorm, qDim)
			add(i, "attn_k.weight", roleWeight, embd, kvDim)
			add(i, "attn_k.bias", roleNorm, kvDim)
			add(i, "attn_v.weight", roleAttnV, embd, kvDim)
			add(i, "attn_v.bias", roleNorm, kvDim)
			add(i, "attn_output.weight", roleWeight, qDim, embd)
			add(i, "attn_output.bias", roleNorm, embd)
			add(i, "ffn_norm.weight", roleNorm, embd)
			add(i, "ffn_norm.bias", roleNorm, embd)
			add(i, "ffn_up.weight", roleWeight, embd, ff)
			add(i, "ffn_up.bias", roleNorm, ff)
			add(i, "ffn_down.weight", roleFFNDown, ff, embd)
			add(i, "ffn_down.bias", roleNorm, embd)
		}
		add(-1, "output_norm.weight", roleNorm, embd)
		add(-1, "output_norm.bias", roleNorm, embd)
	default:
		return nil, fmt.Errorf("architecture %q has no GGUF tensor table in hubsim", m.Arch)
	}
	if !m.TiedEmbeddings {
		add(-1, "output.weight", roleOutput, embd, vocab)
	}
	return ts, nil
}

// stTensor is one tensor of a safetensors file; shape is in PyTorch order
// (outermost first).
type stTensor struct {
	name  string
	shape []int64
}

// safetensorsTensors returns m's tensors with Hugging Face transformers
// names and shapes.
func safetensorsTensors(m *ModelSpec) ([]stTensor, error) {
	embd, ff, vocab := int64(m.EmbeddingLength), int64(m.FeedForwardLength), int64(m.VocabSize)
	qDim := int64(m.HeadCount * m.headDim())
	kvDim := int64(m.HeadCountKV * m.headDim())
	var ts []stTensor
	add := func(name string, shape ...int64) { ts = append(ts, stTensor{name, shape}) }
	switch m.Arch {
	case "llama", "qwen2":
		add("model.embed_tokens.weight", vocab, embd)
		for i := range m.BlockCount {
			p := fmt.Sprintf("model.layers.%d.", i)
			add(p+"input_layernorm.weight", embd)
			add(p+"self_attn.q_proj.weight", qDim, embd)
			add(p+"self_attn.k_proj.weight", kvDim, embd)
			add(p+"self_attn.v_proj.weight", kvDim, embd)
			if m.Arch == "qwen2" {
				add(p+"self_attn.q_proj.bias", qDim)
				add(p+"self_attn.k_proj.bias", kvDim)
				add(p+"self_attn.v_proj.bias", kvDim)
			}
			add(p+"self_attn.o_proj.weight", embd, qDim)
			add(p+"post_attention_layernorm.weight", embd)
			add(p+"mlp.gate_proj.weight", ff, embd)
			add(p+"mlp.up_proj.weight", ff, embd)
			add(p+"mlp.down_proj.weight", embd, ff)
		}
		add("model.norm.weight", embd)
		if !m.TiedEmbeddings {
			add("lm_head.weight", vocab, embd)
		}
	case "bert":
		prefix := "bert."
		if m.BareEncoder {
			prefix = ""
		}
		add(prefix+"embeddings.word_embeddings.weight", vocab, embd)
		add(prefix+"embeddings.position_embeddings.weight", int64(m.ContextLength), embd)
		add(prefix+"embeddings.token_type_embeddings.weight", int64(m.TypeVocabSize), embd)
		add(prefix+"embeddings.LayerNorm.weight", embd)
		add(prefix+"embeddings.LayerNorm.bias", embd)
		for i := range m.BlockCount {
			p := fmt.Sprintf("%sencoder.layer.%d.", prefix, i)
			for _, n := range []string{"query", "key", "value"} {
				add(p+"attention.self."+n+".weight", embd, embd)
				add(p+"attention.self."+n+".bias", embd)
			}
			add(p+"attention.output.dense.weight", embd, embd)
			add(p+"attention.output.dense.bias", embd)
			add(p+"attention.output.LayerNorm.weight", embd)
			add(p+"attention.output.LayerNorm.bias", embd)
			add(p+"intermediate.dense.weight", ff, embd)
			add(p+"intermediate.dense.bias", ff)
			add(p+"output.dense.weight", embd, ff)
			add(p+"output.dense.bias", embd)
			add(p+"output.LayerNorm.weight", embd)
			add(p+"output.LayerNorm.bias", embd)
		}
		add(prefix+"pooler.dense.weight", embd, embd)
		add(prefix+"pooler.dense.bias", embd)
		if !m.BareEncoder {
			add("cls.predictions.bias", vocab)
			add("cls.predictions.transform.dense.weight", embd, embd)
			add("cls.predictions.transform.dense.bias", embd)
			add("cls.predictions.transform.LayerNorm.weight", embd)
			add("cls.predictions.transform.LayerNorm.bias", embd)
			add("cls.seq_relationship.weight", 2, embd)
			add("cls.seq_relationship.bias", 2)
		}
	default:
		return nil, fmt.Errorf("architecture %q has no safetensors tensor table in hubsim", m.Arch)
	}
	return ts, nil
}

// parameterCount returns the number of parameters of m: the sum of its
// tensors' element counts, as a GGUF reader computes it (so Llama 3's
// rope_freqs counts too).
func parameterCount(m *ModelSpec) int64 {
	var n int64
	if ts, err := ggufTensors(m); err == nil {
		for i := range ts {
			n += ts[i].elements()
		}
		return n
	}
	ts, _ := safetensorsTensors(m)
	for _, t := range ts {
		e := int64(1)
		for _, d := range t.shape {
			e *= d
		}
		n += e
	}
	return n
}
