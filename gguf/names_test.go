package gguf

import "testing"

func TestFileTypeNames(t *testing.T) {
	// llama_ftype in llama.h, as huggingface.js tasks gguf.ts lists it.
	want := []string{
		"F32", "F16", "Q4_0", "Q4_1", "Q4_1_SOME_F16", "Q4_2", "Q4_3", "Q8_0", "Q5_0", "Q5_1",
		"Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K",
		"IQ2_XXS", "IQ2_XS", "Q2_K_S", "IQ3_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ3_M",
		"IQ2_S", "IQ2_M", "IQ4_XS", "IQ1_M", "BF16", "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8",
		"TQ1_0", "TQ2_0", "MXFP4_MOE", "NVFP4", "Q1_0", "Q2_0",
	}
	for i, name := range want {
		if got := FileType(i).Name(); got != name {
			t.Errorf("FileType(%d).Name() = %q, want %q", i, got, name)
		}
		// Quantization reads the same names from a header.
		b, _ := fixture{kv: kvs(KeyFileType, uint32(i))}.encode()
		if got := mustRead(t, b).Quantization(); got != name {
			t.Errorf("Quantization with file_type %d = %q, want %q", i, got, name)
		}
	}
	if got := FileType(len(want)).String(); got != "FileType(42)" {
		t.Errorf("unknown FileType String = %q", got)
	}
	if got := FileType(1 << 20).Name(); got != "" {
		t.Errorf("unknown FileType Name = %q", got)
	}
}

// TestGGMLTypeSizes checks the block table against the bits per weight that
// ggml-common.h documents for each format.
func TestGGMLTypeSizes(t *testing.T) {
	for _, tt := range []struct {
		name string
		bpw  float64
	}{
		{"F32", 32}, {"F16", 16}, {"BF16", 16}, {"F64", 64}, {"I8", 8}, {"I16", 16}, {"I32", 32}, {"I64", 64},
		{"Q4_0", 4.5}, {"Q4_1", 5}, {"Q5_0", 5.5}, {"Q5_1", 6}, {"Q8_0", 8.5}, {"Q8_1", 9},
		{"Q2_K", 2.625}, {"Q3_K", 3.4375}, {"Q4_K", 4.5}, {"Q5_K", 5.5}, {"Q6_K", 6.5625}, {"Q8_K", 9.125},
		{"IQ2_XXS", 2.0625}, {"IQ2_XS", 2.3125}, {"IQ2_S", 2.5625}, {"IQ3_XXS", 3.0625}, {"IQ3_S", 3.4375},
		{"IQ1_S", 1.5625}, {"IQ1_M", 1.75}, {"IQ4_NL", 4.5}, {"IQ4_XS", 4.25},
		{"TQ1_0", 1.6875}, {"TQ2_0", 2.0625}, {"MXFP4", 4.25}, {"NVFP4", 4.5}, {"Q1_0", 1.125}, {"Q2_0", 2.25},
		{"Q4_0_4_4", 4.5}, {"IQ4_NL_8_8", 4.5},
	} {
		typ, ok := ParseGGMLType(tt.name)
		if !ok {
			t.Errorf("ParseGGMLType(%q) failed", tt.name)
			continue
		}
		if got := float64(typ.TypeSize()*8) / float64(typ.BlockSize()); got != tt.bpw {
			t.Errorf("%s: %v bits per weight, want %v", tt.name, got, tt.bpw)
		}
		if typ.String() != tt.name {
			t.Errorf("String = %q, want %q", typ.String(), tt.name)
		}
	}
	for _, n := range []GGMLType{4, 5, 43, 1 << 31} {
		if n.Known() || n.RowSize(256) != 0 {
			t.Errorf("type %d is known", n)
		}
	}
	if got := q4K.RowSize(3584); got != 14*144 {
		t.Errorf("Q4_K RowSize(3584) = %d", got)
	}
	if got := GGMLType(8).RowSize(40); got != 2*34 {
		t.Errorf("Q8_0 RowSize(40) = %d, want two whole blocks", got)
	}
}

func TestQuantizationFromFilename(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"qwen2.5-coder-7b-instruct-q4_k_m.gguf", "Q4_K_M"},
		{"Meta-Llama-3-8B-Instruct.Q5_K_S.gguf", "Q5_K_S"},
		{"Mistral-7B-Instruct-v0.3-IQ4_XS.gguf", "IQ4_XS"},
		{"ggml-model-f16.gguf", "F16"},
		{"llama-3-70b-bf16-00001-of-00003.gguf", "BF16"},
		{"Qwen3-30B-A3B-UD-Q4_K_XL.gguf", "Q4_K_XL"},
		{"tinyllama-1.1b-chat-v1.0.Q2_K.gguf", "Q2_K"},
		{"phi-3-mini-4k-instruct-fp16.gguf", "F16"},
		{"gpt-oss-20b-mxfp4.gguf", "MXFP4"},
		{"model-Q8_0.gguf", "Q8_0"},
		{"model-Q3_K_L.gguf", "Q3_K_L"},
		{"model-IQ2_XXS.gguf", "IQ2_XXS"},
		{"model-IQ3_M.gguf", "IQ3_M"},
		{"model-Q4_0_4_4.gguf", "Q4_0_4_4"},
		{"model-TQ1_0.gguf", "TQ1_0"},
		{"org/repo/sub/Model-Q6_K.gguf", "Q6_K"},
		{"Q8_0/model-Q4_K_M-00002-of-00002.gguf", "Q4_K_M"},
		{"model-q4_k_m-imat-Q8_0.gguf", "Q8_0"}, // last one wins
		{"model.gguf", ""},
		{"model-7B.gguf", ""},
		{"modelbf16.gguf", ""},   // not between separators
		{"model-Q8_0x.gguf", ""}, // no separator after the name
		{"", ""},
	} {
		if got := QuantizationFromFilename(tt.name); got != tt.want {
			t.Errorf("QuantizationFromFilename(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestShardInfo(t *testing.T) {
	for _, tt := range []struct {
		name         string
		index, count int
		ok           bool
	}{
		{"model-Q4_K_M-00001-of-00003.gguf", 1, 3, true},
		{"dir/model-00003-of-00003.gguf", 3, 3, true},
		{"MODEL-00002-OF-00005.GGUF", 2, 5, true},
		{"model-00000-of-00003.gguf", 0, 0, false},
		{"model-00004-of-00003.gguf", 0, 0, false},
		{"model-0001-of-0003.gguf", 0, 0, false},
		{"model-00001-of-00003.gguf.part", 0, 0, false},
		{"model-Q4_K_M.gguf", 0, 0, false},
	} {
		i, c, ok := ShardInfo(tt.name)
		if i != tt.index || c != tt.count || ok != tt.ok {
			t.Errorf("ShardInfo(%q) = %d, %d, %v, want %d, %d, %v", tt.name, i, c, ok, tt.index, tt.count, tt.ok)
		}
	}
}
