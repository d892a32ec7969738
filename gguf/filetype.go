package gguf

import "strconv"

// FileType is the value of general.file_type (llama_ftype in llama.h): the
// quantization recipe of the whole file, e.g. 15 for Q4_K_M, which mixes
// Q4_K and Q6_K tensors.
type FileType uint32

// fileTypeNames is indexed by FileType, with the names llama.cpp's
// llama-quantize and the Hub use. 4 is "Q4_1 with some F16"; 5 and 6 were
// removed before GGUF existed; 33–35 are the repacked Q4_0 layouts that are
// no longer written; 39–41 are the newest (from huggingface.js tasks
// gguf.ts, which tracks llama.h).
var fileTypeNames = [...]string{
	0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 5: "Q4_2", 6: "Q4_3",
	7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L",
	14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS",
	20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
	26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
	32: "BF16", 33: "Q4_0_4_4", 34: "Q4_0_4_8", 35: "Q4_0_8_8", 36: "TQ1_0", 37: "TQ2_0",
	38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0", 41: "Q2_0",
}

// Name returns the quantization name, e.g. "Q4_K_M", and "" for an unknown
// value.
func (t FileType) Name() string {
	if int64(t) < int64(len(fileTypeNames)) {
		return fileTypeNames[t]
	}
	return ""
}

// String returns Name, or "FileType(N)" for an unknown value.
func (t FileType) String() string {
	if n := t.Name(); n != "" {
		return n
	}
	return "FileType(" + strconv.FormatUint(uint64(t), 10) + ")"
}
