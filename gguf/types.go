package gguf

import (
	"strconv"
	"strings"
)

// GGMLType is the storage type of a tensor (ggml_type in ggml.h): a float
// format or a block quantization such as Q4_K.
type GGMLType uint32

// ggmlTypeInfo is what a ggml type costs: each block of blockSize elements
// takes typeSize bytes (ggml's type traits blck_size and type_size).
type ggmlTypeInfo struct {
	name      string
	blockSize int64
	typeSize  int64
}

// ggmlTypes is indexed by GGMLType. Sizes follow the static_asserts on the
// block structs in ggml-common.h (note Q8_1 is 36 bytes: two fp16 + 32 int8;
// gguf-py's table still says 40). Types 4 and 5 (Q4_2, Q4_3) were removed
// before GGUF existed. 31–33 and 36–38 are repacked layouts that llama.cpp
// stopped accepting in files in late 2024; files written before then exist,
// and they are sized like Q4_0 and IQ4_NL. 40–42 are the newest additions.
var ggmlTypes = [...]ggmlTypeInfo{
	0:  {"F32", 1, 4},
	1:  {"F16", 1, 2},
	2:  {"Q4_0", 32, 18},
	3:  {"Q4_1", 32, 20},
	6:  {"Q5_0", 32, 22},
	7:  {"Q5_1", 32, 24},
	8:  {"Q8_0", 32, 34},
	9:  {"Q8_1", 32, 36},
	10: {"Q2_K", 256, 84},
	11: {"Q3_K", 256, 110},
	12: {"Q4_K", 256, 144},
	13: {"Q5_K", 256, 176},
	14: {"Q6_K", 256, 210},
	15: {"Q8_K", 256, 292},
	16: {"IQ2_XXS", 256, 66},
	17: {"IQ2_XS", 256, 74},
	18: {"IQ3_XXS", 256, 98},
	19: {"IQ1_S", 256, 50},
	20: {"IQ4_NL", 32, 18},
	21: {"IQ3_S", 256, 110},
	22: {"IQ2_S", 256, 82},
	23: {"IQ4_XS", 256, 136},
	24: {"I8", 1, 1},
	25: {"I16", 1, 2},
	26: {"I32", 1, 4},
	27: {"I64", 1, 8},
	28: {"F64", 1, 8},
	29: {"IQ1_M", 256, 56},
	30: {"BF16", 1, 2},
	31: {"Q4_0_4_4", 32, 18},
	32: {"Q4_0_4_8", 32, 18},
	33: {"Q4_0_8_8", 32, 18},
	34: {"TQ1_0", 256, 54},
	35: {"TQ2_0", 256, 66},
	36: {"IQ4_NL_4_4", 32, 18},
	37: {"IQ4_NL_4_8", 32, 18},
	38: {"IQ4_NL_8_8", 32, 18},
	39: {"MXFP4", 32, 17},
	40: {"NVFP4", 64, 36},
	41: {"Q1_0", 128, 18},
	42: {"Q2_0", 64, 18},
}

func (t GGMLType) info() (ggmlTypeInfo, bool) {
	if int64(t) >= int64(len(ggmlTypes)) || ggmlTypes[t].name == "" {
		return ggmlTypeInfo{}, false
	}
	return ggmlTypes[t], true
}

// Known reports whether the type is in this package's table, that is,
// whether BlockSize, TypeSize and RowSize know its size.
func (t GGMLType) Known() bool { _, ok := t.info(); return ok }

// String returns the type's name as ggml spells it, e.g. "Q4_K" or "BF16",
// or "GGML(N)" for an unknown type.
func (t GGMLType) String() string {
	if i, ok := t.info(); ok {
		return i.name
	}
	return "GGML(" + strconv.FormatUint(uint64(t), 10) + ")"
}

// BlockSize returns how many elements one block holds (1 for float types),
// and 0 for an unknown type.
func (t GGMLType) BlockSize() int64 { i, _ := t.info(); return i.blockSize }

// TypeSize returns the bytes one block takes, and 0 for an unknown type.
func (t GGMLType) TypeSize() int64 { i, _ := t.info(); return i.typeSize }

// RowSize returns the bytes n consecutive elements take, rounding up to
// whole blocks, and 0 for an unknown type (ggml_row_size).
func (t GGMLType) RowSize(n int64) int64 {
	i, ok := t.info()
	if !ok {
		return 0
	}
	return (n + i.blockSize - 1) / i.blockSize * i.typeSize
}

// ParseGGMLType returns the type with the given name, case-insensitively
// ("q8_0", "F16"), and false for an unknown name.
func ParseGGMLType(name string) (GGMLType, bool) {
	for t, i := range ggmlTypes {
		if i.name != "" && strings.EqualFold(i.name, name) {
			return GGMLType(t), true
		}
	}
	return 0, false
}
