package hubsim

import "fmt"

// ModelSpec is a model architecture with its real hyper-parameters. GGUF and
// safetensors files generated from it carry its tensor table, so their
// parameter counts and sizes add up like the real files'.
type ModelSpec struct {
	// Arch is the llama.cpp architecture name: "llama", "qwen2",
	// "starcoder2" or "bert" (bert: safetensors only).
	Arch string `json:"arch"`
	// Name, Basename, Finetune, SizeLabel and License fill the general.*
	// GGUF keys, e.g. "Qwen2.5 Coder 7B Instruct", "Qwen2.5-Coder",
	// "Instruct", "7.6B", "apache-2.0".
	Name      string `json:"name"`
	Basename  string `json:"basename,omitempty"`
	Finetune  string `json:"finetune,omitempty"`
	SizeLabel string `json:"size_label,omitempty"`
	License   string `json:"license,omitempty"`

	ContextLength     int `json:"context_length"`
	EmbeddingLength   int `json:"embedding_length"`
	BlockCount        int `json:"block_count"`
	FeedForwardLength int `json:"feed_forward_length"`
	HeadCount         int `json:"head_count"`
	HeadCountKV       int `json:"head_count_kv"`
	// HeadDim defaults to EmbeddingLength / HeadCount.
	HeadDim   int `json:"head_dim,omitempty"`
	VocabSize int `json:"vocab_size"`

	RopeFreqBase float64 `json:"rope_freq_base,omitempty"`
	NormEpsilon  float64 `json:"norm_epsilon"`
	// TiedEmbeddings: the output projection reuses token_embd (no
	// output.weight / lm_head.weight tensor).
	TiedEmbeddings bool `json:"tied_embeddings,omitempty"`
	// RopeFreqs adds Llama 3's rope_freqs.weight tensor (GGUF only).
	RopeFreqs bool `json:"rope_freqs,omitempty"`
	// TypeVocabSize (bert) is the number of token types, usually 2.
	TypeVocabSize int `json:"type_vocab_size,omitempty"`
	// BareEncoder (bert): the bare encoder without "bert." prefix and
	// pre-training heads, as sentence-transformers saves it.
	BareEncoder bool `json:"bare_encoder,omitempty"`

	// Tokenizer is a key of Catalog.Tokenizers.
	Tokenizer string `json:"tokenizer"`
}

func (m *ModelSpec) headDim() int {
	if m.HeadDim > 0 {
		return m.HeadDim
	}
	return m.EmbeddingLength / m.HeadCount
}

// normalize checks m and fills in the defaults of omitted fields.
func (m *ModelSpec) normalize() error {
	switch m.Arch {
	case "llama", "qwen2", "starcoder2", "bert":
	default:
		return fmt.Errorf("arch %q is not one of llama, qwen2, starcoder2, bert", m.Arch)
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"context_length", m.ContextLength}, {"embedding_length", m.EmbeddingLength},
		{"block_count", m.BlockCount}, {"feed_forward_length", m.FeedForwardLength},
		{"head_count", m.HeadCount}, {"vocab_size", m.VocabSize},
	} {
		if f.v <= 0 {
			return fmt.Errorf("%s must be positive", f.name)
		}
	}
	if m.HeadCountKV <= 0 {
		m.HeadCountKV = m.HeadCount
	}
	if m.Arch == "bert" && m.TypeVocabSize <= 0 {
		m.TypeVocabSize = 2
	}
	return nil
}

// TokenizerSpec describes a vocabulary. Tokens are generated
// deterministically: the real special tokens named here, and synthetic
// regular tokens (byte-level BPE pieces built from their merges,
// SentencePiece pieces, or WordPiece words) filling the model's vocab_size.
type TokenizerSpec struct {
	// Model is the tokenizer.ggml.model value: "gpt2" (byte-level BPE),
	// "llama" (SentencePiece) or "bert" (WordPiece).
	Model string `json:"model"`
	// Pre is tokenizer.ggml.pre, e.g. "qwen2", "deepseek-coder", "llama-bpe".
	Pre string `json:"pre,omitempty"`
	// Regular is the number of regular tokens (BPE: 256 byte tokens plus one
	// token per merge). Special tokens follow them, unless SpecialFirst.
	Regular      int      `json:"regular"`
	Special      []string `json:"special,omitempty"`
	SpecialFirst bool     `json:"special_first,omitempty"`
	// Fill names the tokens that pad the vocabulary up to the model's
	// vocab_size, a fmt pattern of the token id, e.g. "[PAD%d]".
	Fill string `json:"fill,omitempty"`

	BOS          string `json:"bos,omitempty"`
	EOS          string `json:"eos,omitempty"`
	PAD          string `json:"pad,omitempty"`
	UNK          string `json:"unk,omitempty"`
	AddBOS       bool   `json:"add_bos,omitempty"`
	ChatTemplate string `json:"chat_template,omitempty"`
}

func (t *TokenizerSpec) validate() error {
	switch t.Model {
	case "gpt2", "llama", "bert":
	default:
		return fmt.Errorf("model %q is not one of gpt2, llama, bert", t.Model)
	}
	if t.Regular <= 0 {
		return fmt.Errorf("regular must be positive")
	}
	return nil
}
