package hubsim

import (
	"fmt"
	"strings"
)

// ggmlType is a tensor data type (ggml's enum ggml_type).
type ggmlType uint32

const (
	typeF32  ggmlType = 0
	typeF16  ggmlType = 1
	typeQ4_0 ggmlType = 2
	typeQ5_0 ggmlType = 6
	typeQ5_1 ggmlType = 7
	typeQ8_0 ggmlType = 8
	typeQ2_K ggmlType = 10
	typeQ3_K ggmlType = 11
	typeQ4_K ggmlType = 12
	typeQ5_K ggmlType = 13
	typeQ6_K ggmlType = 14
	typeBF16 ggmlType = 30
)

// blockSize returns how many elements one block of t holds and its size in
// bytes (ggml's type traits).
func (t ggmlType) blockSize() (elems, bytes int64) {
	switch t {
	case typeF32:
		return 1, 4
	case typeF16, typeBF16:
		return 1, 2
	case typeQ4_0:
		return 32, 18
	case typeQ5_0:
		return 32, 22
	case typeQ5_1:
		return 32, 24
	case typeQ8_0:
		return 32, 34
	case typeQ2_K:
		return 256, 84
	case typeQ3_K:
		return 256, 110
	case typeQ4_K:
		return 256, 144
	case typeQ5_K:
		return 256, 176
	case typeQ6_K:
		return 256, 210
	}
	panic(fmt.Sprintf("hubsim: unknown ggml type %d", t))
}

// tensorBytes is the data size of a tensor of type t with n elements.
func (t ggmlType) tensorBytes(n int64) int64 {
	elems, bytes := t.blockSize()
	return n / elems * bytes
}

// quantRecipe is a llama.cpp file type ("Q4_K_M"): its general.file_type
// value and the tensor type rules of llama.cpp's llama_tensor_get_type,
// reduced to the rules that matter for the architectures hubsim generates.
type quantRecipe struct {
	name     string
	fileType uint32
	base     ggmlType // most 2-D weights
	more     ggmlType // attn_v and ffn_down of the layers use_more_bits picks; 0: base
	output   ggmlType // output.weight (or token_embd when tied)
}

var quantRecipes = map[string]quantRecipe{
	"F32":    {"F32", 0, typeF32, 0, typeF32},
	"F16":    {"F16", 1, typeF16, 0, typeF16},
	"BF16":   {"BF16", 32, typeBF16, 0, typeBF16},
	"Q4_0":   {"Q4_0", 2, typeQ4_0, 0, typeQ6_K},
	"Q8_0":   {"Q8_0", 7, typeQ8_0, 0, typeQ8_0},
	"Q2_K":   {"Q2_K", 10, typeQ2_K, typeQ3_K, typeQ6_K},
	"Q3_K_M": {"Q3_K_M", 12, typeQ3_K, typeQ4_K, typeQ6_K},
	"Q4_K_S": {"Q4_K_S", 14, typeQ4_K, 0, typeQ6_K},
	"Q4_K_M": {"Q4_K_M", 15, typeQ4_K, typeQ6_K, typeQ6_K},
	"Q5_K_S": {"Q5_K_S", 16, typeQ5_K, 0, typeQ6_K},
	"Q5_K_M": {"Q5_K_M", 17, typeQ5_K, typeQ6_K, typeQ6_K},
	"Q6_K":   {"Q6_K", 18, typeQ6_K, 0, typeQ6_K},
}

func lookupQuant(name string) (quantRecipe, error) {
	q, ok := quantRecipes[strings.ToUpper(name)]
	if !ok {
		return quantRecipe{}, fmt.Errorf("unknown quantization %q", name)
	}
	return q, nil
}

// useMoreBits is llama.cpp's choice of layers that get more bits in the _M
// mixes: the first and last eighth, and every third layer in between.
func useMoreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// typeFor returns the ggml type of a tensor under q. Vectors stay F32. A
// K-quant needs rows that are a multiple of 256 elements; otherwise llama.cpp
// falls back to a 32-element type, as it does for Qwen2.5-0.5B's 896-wide
// rows.
func (q quantRecipe) typeFor(t *tensorInfo, layers int) ggmlType {
	if len(t.dims) < 2 || t.role == roleNorm {
		return typeF32
	}
	typ := q.base
	switch {
	case t.role == roleOutput:
		typ = q.output
	case (t.role == roleAttnV || t.role == roleFFNDown) && q.more != 0 && useMoreBits(t.layer, layers):
		typ = q.more
	}
	elems, _ := typ.blockSize()
	if t.dims[0]%elems == 0 {
		return typ
	}
	switch typ {
	case typeQ2_K, typeQ3_K:
		return typeQ4_0
	case typeQ4_K:
		return typeQ5_0
	case typeQ5_K:
		return typeQ5_1
	case typeQ6_K:
		return typeQ8_0
	}
	return typeF16
}
