package gguf

import (
	"cmp"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// filenameQuants are the quantization names looked for in file names,
// longest first so that Q4_K_M wins over Q4_K: the file type names, the
// names of the "XL" mixes Unsloth publishes (not file_type values), bare
// tensor types some repos use, and spellings of float types.
var filenameQuants = func() []string {
	names := []string{"Q2_K_XL", "Q3_K_XL", "Q4_K_XL", "Q5_K_XL", "Q6_K_XL", "Q8_K_XL",
		"Q3_K", "Q4_K", "Q5_K", "MXFP4", "FP16", "FP32"}
	for _, n := range fileTypeNames {
		if n != "" && !strings.Contains(n, "SOME") {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return names
}()

var quantAliases = map[string]string{"FP16": "F16", "FP32": "F32"}

func isNameSep(c byte) bool { return c == '-' || c == '_' || c == '.' || c == ' ' }

// QuantizationFromFilename guesses the quantization from a file name such as
// "qwen2.5-7b-instruct-q4_k_m.gguf", "Llama-3-8B.Q5_K_S.gguf",
// "model-IQ4_XS.gguf" or "model-bf16-00001-of-00003.gguf", for when the
// header is not available. It returns the canonical upper-case name
// ("Q4_K_M", "BF16"), or "" when none is found. A name counts only between
// separators ('-', '_', '.', ' ' or the ends); when several appear, the last
// one wins, as in huggingface.js. Only the last path element is looked at.
func QuantizationFromFilename(name string) string {
	s := strings.ToUpper(path.Base(name))
	found := ""
	for i := 0; i < len(s); i++ {
		if i > 0 && !isNameSep(s[i-1]) {
			continue
		}
		for _, q := range filenameQuants {
			end := i + len(q)
			if strings.HasPrefix(s[i:], q) && (end == len(s) || isNameSep(s[end])) {
				found = q
				break
			}
		}
	}
	if a, ok := quantAliases[found]; ok {
		return a
	}
	return found
}

var shardRE = regexp.MustCompile(`-(\d{5})-of-(\d{5})\.gguf$`)

// ShardInfo parses the shard suffix of a split model's file name, as
// llama.cpp's gguf-split writes it: "model-00002-of-00003.gguf" gives 2, 3,
// true. It returns false for a name without a valid suffix (index 0, or
// index above count).
func ShardInfo(name string) (index, count int, ok bool) {
	m := shardRE.FindStringSubmatch(strings.ToLower(name))
	if m == nil {
		return 0, 0, false
	}
	index, _ = strconv.Atoi(m[1])
	count, _ = strconv.Atoi(m[2])
	if index < 1 || index > count {
		return 0, 0, false
	}
	return index, count, true
}
