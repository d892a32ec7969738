package gguf

import (
	"bytes"
	"testing"
)

// BenchmarkRead150kVocab parses a qwen2-like header with a 152,064-token
// vocabulary (tokens, scores, token types, merges) and 339 tensors.
func BenchmarkRead150kVocab(b *testing.B) {
	file, headerLen := vocabFixture(152064).encode()
	b.SetBytes(int64(headerLen))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(b.Context(), bytes.NewReader(file), int64(len(file))); err != nil {
			b.Fatal(err)
		}
	}
}
