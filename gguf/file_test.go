package gguf

import (
	"fmt"
	"testing"
)

const (
	q4K = GGMLType(12)
	q6K = GGMLType(14)
	f32 = GGMLType(0)
)

// qwen2KV is the metadata of Qwen2.5-7B-Instruct-Q4_K_M.gguf, minus the
// tokenizer.
func qwen2KV() []KV {
	return kvs(
		"general.architecture", "qwen2",
		"general.name", "Qwen2.5 7B Instruct",
		"general.file_type", uint32(15),
		"general.quantization_version", uint32(2),
		"qwen2.context_length", uint32(32768),
		"qwen2.embedding_length", uint32(3584),
		"qwen2.block_count", uint32(28),
		"qwen2.feed_forward_length", uint32(18944),
		"qwen2.attention.head_count", uint32(28),
		"qwen2.attention.head_count_kv", uint32(4),
		"qwen2.rope.freq_base", float32(1e6),
		"qwen2.attention.layer_norm_rms_epsilon", float32(1e-6),
	)
}

// qwen2Tensors is the tensor table of a qwen2 7B model quantized Q4_K_M the
// way llama-quantize does it: Q6_K for the output, and for attn_v and
// ffn_down in the first and last eighth of the layers and every third layer
// between; Q4_K for the other matrices; F32 for norms and biases.
func qwen2Tensors(vocab int) []TensorInfo {
	const embd, kv, ffn, layers = 3584, 512, 18944, 28
	mat := func(name string, a, b uint64, t GGMLType) TensorInfo {
		return TensorInfo{Name: name, Dims: []uint64{a, b}, Type: t}
	}
	vec := func(name string, a uint64) TensorInfo { return TensorInfo{Name: name, Dims: []uint64{a}, Type: f32} }
	ts := []TensorInfo{mat("token_embd.weight", embd, uint64(vocab), q4K)}
	for i := range layers {
		more := q4K
		if i < layers/8 || i >= 7*layers/8 || (i-layers/8)%3 == 2 {
			more = q6K
		}
		p := fmt.Sprintf("blk.%d.", i)
		ts = append(ts,
			vec(p+"attn_norm.weight", embd),
			mat(p+"attn_q.weight", embd, embd, q4K), vec(p+"attn_q.bias", embd),
			mat(p+"attn_k.weight", embd, kv, q4K), vec(p+"attn_k.bias", kv),
			mat(p+"attn_v.weight", embd, kv, more), vec(p+"attn_v.bias", kv),
			mat(p+"attn_output.weight", embd, embd, q4K),
			vec(p+"ffn_norm.weight", embd),
			mat(p+"ffn_gate.weight", embd, ffn, q4K),
			mat(p+"ffn_up.weight", embd, ffn, q4K),
			mat(p+"ffn_down.weight", ffn, embd, more),
		)
	}
	ts = append(ts, vec("output_norm.weight", embd), mat("output.weight", embd, uint64(vocab), q6K))
	return withOffsets(ts)
}

func TestQwen2_7B(t *testing.T) {
	b, _ := fixture{kv: qwen2KV(), tensors: qwen2Tensors(152064)}.encode()
	f := mustRead(t, b)

	// 2·embd·vocab + output_norm + 28 layers of (q, k, v with biases, o,
	// three FFN matrices, two norms): the published 7.61B.
	const wantParams = 2*3584*152064 + 3584 +
		28*(3584*3584+3584+2*(3584*512+512)+3584*3584+3*3584*18944+2*3584)
	if wantParams != 7_615_616_512 {
		t.Fatalf("test arithmetic: %d", int64(wantParams))
	}
	if got := f.ParameterCount(); got != wantParams {
		t.Errorf("ParameterCount = %d, want %d", got, int64(wantParams))
	}

	// By hand: Q4_K is 144 bytes per 256 elements, Q6_K 210. Embedding
	// 2,128,896 Q4_K blocks; output 2,128,896 Q6_K blocks; per layer 637,952
	// Q4_K blocks always plus 272,384 blocks of attn_v and ffn_down, Q6_K in
	// 14 of the 28 layers; 11,776 F32 per layer and 3,584 for output_norm.
	// The real Qwen2.5-7B-Instruct-Q4_K_M.gguf is 4,683,073,536 bytes: this
	// plus its ~6 MB header.
	const wantBytes = 2_128_896*144 + 2_128_896*210 + 28*(637_952*144+11_776*4) +
		14*272_384*144 + 14*272_384*210 + 3584*4
	if wantBytes != 4_677_120_000 {
		t.Fatalf("test arithmetic: %d", int64(wantBytes))
	}
	if got, err := f.TensorDataSize(); err != nil || got != wantBytes {
		t.Errorf("TensorDataSize = %d, %v, want %d", got, err, int64(wantBytes))
	}

	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"Architecture", f.Architecture(), "qwen2"},
		{"Name", f.Name(), "Qwen2.5 7B Instruct"},
		{"Quantization", f.Quantization(), "Q4_K_M"},
		{"ContextLength", f.ContextLength(), int64(32768)},
		{"BlockCount", f.BlockCount(), int64(28)},
		{"HeadCount", f.HeadCount(), int64(28)},
		{"HeadCountKV", f.HeadCountKV(), int64(4)},
		{"EmbeddingLength", f.EmbeddingLength(), int64(3584)},
		{"KeyLength", f.KeyLength(), int64(128)},
		{"ValueLength", f.ValueLength(), int64(128)},
		{"VocabSize from token_embd", f.VocabSize(), int64(152064)},
		{"ArchKey", f.ArchKey("rope.freq_base"), "qwen2.rope.freq_base"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if ft, ok := f.FileType(); !ok || ft != 15 {
		t.Errorf("FileType = %v, %v", ft, ok)
	}
	if fb, ok := f.Float("qwen2.rope.freq_base"); !ok || fb != 1e6 {
		t.Errorf("Float(rope.freq_base) = %v, %v", fb, ok)
	}
	if _, ok := f.Split(); ok {
		t.Error("Split reports a split for a single file")
	}
}

func TestFileFallbacks(t *testing.T) {
	// No file_type, no head_count_kv, explicit key/value lengths, per-layer
	// head counts, vocab from the tokens array.
	fx := fixture{
		kv: kvs(
			"general.architecture", "gemma",
			"gemma.embedding_length", uint32(2048),
			"gemma.attention.head_count", []int32{8, 8, 4},
			"gemma.attention.key_length", uint64(256),
			"tokenizer.ggml.tokens", []string{"a", "b", "c"},
		),
		tensors: []TensorInfo{
			{Name: "a", Dims: []uint64{256, 4}, Type: q6K},
			{Name: "b", Dims: []uint64{256, 8}, Type: q4K},
			{Name: "c", Dims: []uint64{256}, Type: f32},
		},
	}
	b, _ := fx.encode()
	f := mustRead(t, b)
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"Quantization from dominant tensor type", f.Quantization(), "Q4_K"},
		{"HeadCount, largest per-layer value", f.HeadCount(), int64(8)},
		{"HeadCountKV falls back to HeadCount", f.HeadCountKV(), int64(8)},
		{"KeyLength from key_length", f.KeyLength(), int64(256)},
		{"ValueLength from embedding/heads", f.ValueLength(), int64(256)},
		{"VocabSize from tokens", f.VocabSize(), int64(3)},
		{"ContextLength absent", f.ContextLength(), int64(0)},
		{"Name absent", f.Name(), ""},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if _, ok := f.FileType(); ok {
		t.Error("FileType ok without general.file_type")
	}

	// Unknown tensor types: the name still shows, the size is refused.
	b, _ = fixture{tensors: []TensorInfo{{Name: "x", Dims: []uint64{32}, Type: 99}}}.encode()
	f = mustRead(t, b)
	if _, err := f.TensorDataSize(); err == nil {
		t.Error("TensorDataSize with an unknown type: no error")
	}
	if got := f.Quantization(); got != "GGML(99)" {
		t.Errorf("Quantization = %q", got)
	}
}

func TestValueAccessors(t *testing.T) {
	for _, tt := range []struct {
		v            Value
		u            uint64
		uok          bool
		i            int64
		iok          bool
		text, format string
	}{
		{val(uint8(7)), 7, true, 7, true, "", "7"},
		{val(int32(-3)), 0, false, -3, true, "", "-3"},
		{val(uint64(1 << 63)), 1 << 63, true, 0, false, "", "9223372036854775808"},
		{val("hi"), 0, false, 0, false, "hi", `"hi"`},
		{val(float32(1.5)), 0, false, 0, false, "", "1.5"},
		{val([]uint32{1, 2}), 0, false, 0, false, "", "[2]uint32"},
		{Value{}, 0, false, 0, false, "", "<none>"},
	} {
		t.Run(tt.format, func(t *testing.T) {
			if u, ok := tt.v.Uint(); u != tt.u || ok != tt.uok {
				t.Errorf("Uint = %d, %v", u, ok)
			}
			if i, ok := tt.v.Int(); ok != tt.iok || (ok && i != tt.i) {
				t.Errorf("Int = %d, %v", i, ok)
			}
			if s, _ := tt.v.Text(); s != tt.text {
				t.Errorf("Text = %q", s)
			}
			if s := tt.v.String(); s != tt.format {
				t.Errorf("String = %q, want %q", s, tt.format)
			}
		})
	}
	if us, ok := val([]int16{1, 2}).Uints(); !ok || len(us) != 2 || us[1] != 2 {
		t.Errorf("Uints = %v, %v", us, ok)
	}
	if _, ok := val([]int16{1, -2}).Uints(); ok {
		t.Error("Uints accepted a negative element")
	}
}
