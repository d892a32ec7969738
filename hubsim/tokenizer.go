package hubsim

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// tokenizerJSON renders a vocabulary as a Hugging Face tokenizers
// tokenizer.json: byte-level BPE for gpt2 tokenizers, BPE with byte fallback
// for SentencePiece (llama) ones, WordPiece for bert. Special tokens are
// listed in added_tokens; fill tokens are left out, as in real files.
func tokenizerJSON(spec *TokenizerSpec, v *vocab) []byte {
	var b bytes.Buffer
	b.Grow(len(v.tokens) * 24)
	b.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i, s := range spec.Special {
		id, _ := v.id(s)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}", id, jsonString(s))
	}
	b.WriteString("\n  ],\n")
	switch spec.Model {
	case "gpt2":
		b.WriteString(`  "normalizer": {"type": "NFC"},
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
  "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true},
  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
  "model": {"type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": "", "end_of_word_suffix": "", "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
`)
	case "llama":
		b.WriteString(`  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null,
  "post_processor": null,
  "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
  "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null, "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": true, "ignore_merges": false,
`)
	case "bert":
		b.WriteString(`  "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
  "pre_tokenizer": {"type": "BertPreTokenizer"},
  "post_processor": null,
  "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
  "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
`)
	}
	b.WriteString("    \"vocab\": {")
	n := 0
	for id, t := range v.tokens {
		if v.types[id] == tokUnused || v.types[id] == tokControl && spec.Model != "bert" && spec.Model != "llama" {
			continue // fill tokens, and added tokens listed above
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		fmt.Fprintf(&b, "\n      %s: %d", jsonString(t), id)
	}
	b.WriteString("\n    }")
	if spec.Model != "bert" {
		b.WriteString(",\n    \"merges\": [")
		for i, m := range v.merges {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n      ")
			b.WriteString(jsonString(m))
		}
		b.WriteString("\n    ]")
	}
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

// vocabTXT renders a WordPiece vocabulary as vocab.txt: one token per line.
func vocabTXT(v *vocab) []byte {
	return []byte(strings.Join(v.tokens, "\n") + "\n")
}

// jsonString quotes s as a JSON string without escaping <, > and & (which
// encoding/json would), as Python's json module writes it.
func jsonString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
