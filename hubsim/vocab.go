package hubsim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"
)

// Token types of tokenizer.ggml.token_type (llama.cpp's llama_token_type).
const (
	tokNormal  = 1
	tokUnknown = 2
	tokControl = 3
	tokUnused  = 5
	tokByte    = 6
)

// vocab is a generated vocabulary, in token id order.
type vocab struct {
	tokens []string
	types  []int32
	scores []float32 // SentencePiece only
	merges []string  // BPE merges "left right" in rank order (gpt2 and llama)
	ids    map[string]int
}

func (v *vocab) id(tok string) (int, bool) {
	id, ok := v.ids[tok]
	return id, ok
}

// buildVocab generates the vocabulary of spec padded to size tokens. The
// regular tokens depend only on the tokenizer model, so vocabularies of one
// kind share their first tokens, as real model families do.
func buildVocab(spec *TokenizerSpec, size int) (*vocab, error) {
	v := &vocab{}
	add := func(tok string, typ int32, score float32) {
		v.tokens = append(v.tokens, tok)
		v.types = append(v.types, typ)
		if spec.Model == "llama" {
			v.scores = append(v.scores, score)
		}
	}
	specials := func() {
		for _, s := range spec.Special {
			add(s, tokControl, 0)
		}
	}
	if spec.SpecialFirst {
		specials()
	}
	start := len(v.tokens)
	remaining := func() int { return spec.Regular - (len(v.tokens) - start) }
	switch spec.Model {
	case "gpt2":
		for _, r := range byteLevelAlphabet() {
			add(string(r), tokNormal, 0)
		}
		pieces, merges := synthPieces(remaining(), "Ġ", 0x9e3779b9)
		for _, p := range pieces {
			add(p, tokNormal, 0)
		}
		v.merges = merges
	case "llama":
		add("<unk>", tokUnknown, 0)
		add("<s>", tokControl, 0)
		add("</s>", tokControl, 0)
		for b := range 256 {
			add(fmt.Sprintf("<0x%02X>", b), tokByte, 0)
		}
		for _, c := range asciiChars("▁") {
			add(c, tokNormal, 0)
		}
		pieces, merges := synthPieces(remaining(), "▁", 0x85ebca6b)
		for i, p := range pieces {
			add(p, tokNormal, -float32(i+1))
		}
		v.merges = merges
	case "bert":
		for _, c := range asciiChars() {
			add(c, tokNormal, 0)
		}
		pieces, _ := synthPieces(remaining(), "", 0xc2b2ae35)
		for _, p := range pieces {
			add(p, tokNormal, 0)
		}
	}
	if !spec.SpecialFirst {
		specials()
	}
	if len(v.tokens) > size {
		return nil, fmt.Errorf("tokenizer has %d tokens, more than the model's vocab_size %d", len(v.tokens), size)
	}
	for id := len(v.tokens); id < size; id++ {
		if spec.Fill == "" {
			return nil, fmt.Errorf("tokenizer has %d tokens, fewer than the model's vocab_size %d, and no fill pattern", len(v.tokens), size)
		}
		add(fmt.Sprintf(spec.Fill, id), tokUnused, 0)
	}
	v.ids = make(map[string]int, len(v.tokens))
	for i, t := range v.tokens {
		if _, dup := v.ids[t]; dup {
			return nil, fmt.Errorf("token %q appears twice", t)
		}
		v.ids[t] = i
	}
	for _, name := range []string{spec.BOS, spec.EOS, spec.PAD, spec.UNK} {
		if _, ok := v.ids[name]; name != "" && !ok {
			return nil, fmt.Errorf("special token %q is not in the vocabulary", name)
		}
	}
	return v, nil
}

// byteLevelAlphabet returns GPT-2's byte-to-unicode table in token id order:
// printable bytes map to themselves, the others to U+0100 onwards (so the
// space is "Ġ" and the newline "Ċ").
func byteLevelAlphabet() []rune {
	var bs []int
	for b := '!'; b <= '~'; b++ {
		bs = append(bs, int(b))
	}
	for b := 0xA1; b <= 0xAC; b++ {
		bs = append(bs, b)
	}
	for b := 0xAE; b <= 0xFF; b++ {
		bs = append(bs, b)
	}
	out := make([]rune, 0, 256)
	for _, b := range bs {
		out = append(out, rune(b))
	}
	n := 0
	for b := range 256 {
		if !slices.Contains(bs, b) {
			out = append(out, rune(256+n))
			n++
		}
	}
	return out
}

// asciiChars returns the printable ASCII characters, after extra.
func asciiChars(extra ...string) []string {
	out := extra
	for r := '!'; r <= '~'; r++ {
		out = append(out, string(r))
	}
	return out
}

// Word parts: synthetic tokens are built from syllables so that they read
// like text, plus the keywords a code model's vocabulary is full of.
var (
	onsets   = []string{"", "", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "pr", "ch", "sh", "th", "pl", "cl", "gr", "br", "sp"}
	nuclei   = []string{"a", "e", "i", "o", "u", "a", "e", "i", "o", "ea", "ou", "io", "ai", "ee"}
	codas    = []string{"", "", "", "n", "r", "s", "t", "l", "m", "nd", "st", "ng", "ck", "nt", "rs", "x"}
	keywords = []string{"def", "return", "import", "from", "class", "self", "function", "const", "let", "var",
		"if", "else", "elif", "for", "while", "print", "True", "False", "None", "null", "int", "str", "string",
		"struct", "func", "package", "public", "private", "static", "void", "async", "await", "yield", "lambda",
		"try", "except", "catch", "throw", "new", "this", "range", "len", "append", "error", "nil", "type",
		"interface", "assert", "boolean", "export", "default", "switch", "case", "break", "continue", "std"}
)

// synthPieces generates n distinct pieces as BPE training would have found
// them: each is the concatenation of two shorter tokens (single characters
// or earlier pieces), recorded as the merge "left right". Pieces are the
// prefixes of code keywords and syllable words; boundary ("Ġ" or "▁") starts
// most words, and "" (WordPiece) marks continuations with "##" instead.
func synthPieces(n int, boundary string, seed uint64) (pieces, merges []string) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	seen := make(map[string]bool, n)
	pieces = make([]string, 0, n)
	merges = make([]string, 0, n)
	add := func(word string) {
		for i, r := range word {
			end := i + utf8.RuneLen(r)
			p := word[:end]
			if len(pieces) == n || seen[p] || utf8.RuneCountInString(p) < 2 {
				continue
			}
			seen[p] = true
			pieces = append(pieces, p)
			merges = append(merges, splitPiece(p, seen))
		}
	}
	for k := 0; len(pieces) < n; k++ {
		var w string
		if k < 4*len(keywords) {
			w = keywords[k%len(keywords)]
		} else {
			for range 1 + rng.IntN(3) {
				w += onsets[rng.IntN(len(onsets))] + nuclei[rng.IntN(len(nuclei))] + codas[rng.IntN(len(codas))]
			}
		}
		if rng.IntN(8) == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		switch {
		case k%4 == 3 && boundary == "":
			w = "##" + w
		case k%4 != 3:
			w = boundary + w
		}
		add(w)
	}
	return pieces, merges
}

// splitPiece returns the merge that forms p: the split into two known tokens
// whose shorter side is longest.
func splitPiece(p string, seen map[string]bool) string {
	known := func(s string) bool { return seen[s] || utf8.RuneCountInString(s) == 1 }
	best, bestLen := 0, -1
	for i := range p {
		if i == 0 {
			continue
		}
		if l, r := p[:i], p[i:]; known(l) && known(r) {
			if m := min(utf8.RuneCountInString(l), utf8.RuneCountInString(r)); m > bestLen {
				best, bestLen = i, m
			}
		}
	}
	return p[:best] + " " + p[best:]
}
