package hubsim

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// generatorVersion is part of every content key. Bump it when a change to
// the generators alters bytes without altering any spec, so that the digest
// table goes stale (the fingerprint test would also notice).
const generatorVersion = 1

// generator turns file specs into contents. Vocabularies and contents are
// built on first use and memoised, so that loading a catalog is cheap and a
// content shared by several commits is built once.
type generator struct {
	cat *Catalog

	mu      sync.Mutex
	vocabs  map[string]*onceValue[*vocab]
	sources map[string]*contentSource
}

// onceValue is a value computed once, by the first caller; concurrent
// callers wait for it.
type onceValue[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (o *onceValue[T]) get(f func() (T, error)) (T, error) {
	o.once.Do(func() { o.v, o.err = f() })
	return o.v, o.err
}

// contentSource is the memoised content of one spec.
type contentSource struct {
	key   string       // hex SHA-256 of the canonical spec
	desc  string       // "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF/qwen2.5-coder-7b-instruct-q4_k_m.gguf", for humans
	lfs   bool         // default LFS flag for this kind of content
	big   bool         // generated binary content, covered by the digest table
	gguf  *ggufSummary // GGUF files
	st    *stSummary   // safetensors files
	build func() (content, error)
	val   onceValue[content]
}

func (s *contentSource) content() (content, error) { return s.val.get(s.build) }

// stSummary is what model info's "safetensors" object counts.
type stSummary struct {
	dtype  string
	params int64
}

// ggufSummary is what model info's "gguf" object says about a GGUF file,
// known from the specs alone.
type ggufSummary struct {
	model *ModelSpec
	tok   *TokenizerSpec
	split int
}

func newGenerator(cat *Catalog) (*generator, error) {
	for name, m := range cat.Models {
		if err := m.normalize(); err != nil {
			return nil, fmt.Errorf("model %q: %w", name, err)
		}
		if m.Arch == "bert" && m.Tokenizer == "" {
			continue
		}
		t := cat.Tokenizers[m.Tokenizer]
		if t == nil {
			return nil, fmt.Errorf("model %q: no tokenizer %q", name, m.Tokenizer)
		}
		if err := t.validate(); err != nil {
			return nil, fmt.Errorf("tokenizer %q: %w", m.Tokenizer, err)
		}
		if n := t.Regular + len(t.Special); n > m.VocabSize || n < m.VocabSize && t.Fill == "" {
			return nil, fmt.Errorf("model %q: tokenizer %q has %d tokens for a vocab_size of %d (set fill to pad)", name, m.Tokenizer, n, m.VocabSize)
		}
	}
	return &generator{cat: cat, vocabs: map[string]*onceValue[*vocab]{}, sources: map[string]*contentSource{}}, nil
}

func (g *generator) vocab(m *ModelSpec) (*vocab, error) {
	key := fmt.Sprintf("%s/%d", m.Tokenizer, m.VocabSize)
	g.mu.Lock()
	o := g.vocabs[key]
	if o == nil {
		o = &onceValue[*vocab]{}
		g.vocabs[key] = o
	}
	g.mu.Unlock()
	return o.get(func() (*vocab, error) { return buildVocab(g.cat.Tokenizers[m.Tokenizer], m.VocabSize) })
}

func (g *generator) model(name string) (*ModelSpec, *TokenizerSpec, error) {
	m := g.cat.Models[name]
	if m == nil {
		return nil, nil, fmt.Errorf("no model %q in the catalog's models", name)
	}
	return m, g.cat.Tokenizers[m.Tokenizer], nil
}

// keySpec is the canonical description of a content: everything its bytes
// depend on. Its hash is the content key of the digest table.
type keySpec struct {
	Version   int             `json:"v"`
	Kind      string          `json:"kind"`
	Text      string          `json:"text,omitempty"`
	JSON      json.RawMessage `json:"json,omitempty"`
	Model     *ModelSpec      `json:"model,omitempty"`
	Tokenizer *TokenizerSpec  `json:"tokenizer,omitempty"`
	GGUF      *GGUFSpec       `json:"gguf,omitempty"`
	DType     string          `json:"dtype,omitempty"`
	Format    string          `json:"format,omitempty"`
	Size      int64           `json:"size,omitempty"`
	Seed      string          `json:"seed,omitempty"`
}

// source returns the content source of file f of repo r, validating the
// spec now so that a bad catalog fails to load rather than to serve.
func (g *generator) source(r *Repo, f *File) (*contentSource, error) {
	ks := keySpec{Version: generatorVersion}
	seed := func(s string) string {
		if s != "" {
			return s
		}
		return r.ID + "/" + f.Path
	}
	var (
		build func() (content, error)
		lfs   = true
		big   = true
		sum   *ggufSummary
		st    *stSummary
	)
	n := 0
	for _, set := range []bool{f.GGUF != nil, f.Safetensors != nil, f.Random != nil, f.Tokenizer != nil, f.Card, f.JSON != nil} {
		if set {
			n++
		}
	}
	if n > 1 || n == 1 && f.Text != "" {
		return nil, fmt.Errorf("more than one content source")
	}
	switch {
	case f.GGUF != nil:
		spec := *f.GGUF
		spec.Seed = seed(spec.Seed)
		m, t, err := g.model(spec.Model)
		if err != nil {
			return nil, err
		}
		if _, err := lookupQuant(spec.Quant); err != nil {
			return nil, err
		}
		if _, err := ggufTensors(m); err != nil {
			return nil, err
		}
		if spec.Splits > 1 && (spec.Split < 1 || spec.Split > spec.Splits) {
			return nil, fmt.Errorf("split %d is not within 1..%d", spec.Split, spec.Splits)
		}
		ks.Kind, ks.Model, ks.Tokenizer, ks.GGUF = "gguf", m, t, &spec
		sum = &ggufSummary{model: m, tok: t, split: spec.Split}
		build = func() (content, error) {
			v, err := g.vocab(m)
			if err != nil {
				return nil, err
			}
			l, err := newGGUFLayout(m, t, v, spec)
			if err != nil {
				return nil, err
			}
			return &genContent{total: l.size(), prefixLen: l.headerLen, seed: seedOf(spec.Seed), build: l.header}, nil
		}
	case f.Safetensors != nil:
		m, _, err := g.model(f.Safetensors.Model)
		if err != nil {
			return nil, err
		}
		l, err := newSafetensorsLayout(m, f.Safetensors.DType)
		if err != nil {
			return nil, err
		}
		ks.Kind, ks.Model, ks.DType, ks.Seed = "safetensors", m, f.Safetensors.DType, seed(f.Safetensors.Seed)
		st = &stSummary{dtype: l.dtype, params: l.params}
		c := &genContent{total: l.size(), prefixLen: int64(len(l.header)), seed: seedOf(ks.Seed), build: func() []byte { return l.header }}
		build = func() (content, error) { return c, nil }
	case f.Random != nil:
		if f.Random.Size < 0 {
			return nil, fmt.Errorf("random size must not be negative")
		}
		ks.Kind, ks.Size, ks.Seed = "random", f.Random.Size, seed(f.Random.Seed)
		c := &genContent{total: f.Random.Size, seed: seedOf(ks.Seed)}
		build = func() (content, error) { return c, nil }
	case f.Tokenizer != nil:
		m, t, err := g.model(f.Tokenizer.Model)
		if err != nil {
			return nil, err
		}
		format := f.Tokenizer.Format
		if format != "json" && format != "vocab.txt" && format != "" {
			return nil, fmt.Errorf(`tokenizer format must be "json" or "vocab.txt", not %q`, format)
		}
		ks.Kind, ks.Model, ks.Tokenizer, ks.Format = "tokenizer", m, t, format
		lfs, big = false, false
		build = func() (content, error) {
			v, err := g.vocab(m)
			if err != nil {
				return nil, err
			}
			if format == "vocab.txt" {
				return memContent(vocabTXT(v)), nil
			}
			return memContent(tokenizerJSON(t, v)), nil
		}
	default:
		var data []byte
		switch {
		case f.Card:
			b, err := renderCard(r.CardData, r.Readme)
			if err != nil {
				return nil, err
			}
			data, ks.Kind = b, "card"
		case f.JSON != nil:
			var buf bytes.Buffer
			if err := json.Indent(&buf, f.JSON, "", "  "); err != nil {
				return nil, fmt.Errorf("json: %w", err)
			}
			buf.WriteByte('\n')
			data, ks.Kind = buf.Bytes(), "json"
		default:
			data, ks.Kind = []byte(f.Text), "text"
		}
		ks.Text = string(data)
		lfs, big = false, false
		build = func() (content, error) { return memContent(data), nil }
	}
	js, err := json.Marshal(ks)
	if err != nil {
		return nil, err
	}
	sum256 := sha256.Sum256(js)
	key := hex.EncodeToString(sum256[:16])

	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.sources[key]; s != nil {
		return s, nil
	}
	s := &contentSource{key: key, desc: r.ID + "/" + f.Path, lfs: lfs, big: big, gguf: sum, st: st, build: build}
	g.sources[key] = s
	return s, nil
}

// bigSources returns the generated binary contents, sorted by key: the ones
// the digest table covers.
func (g *generator) bigSources() []*contentSource {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*contentSource
	for _, s := range g.sources {
		if s.big {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b *contentSource) int { return strings.Compare(a.key, b.key) })
	return out
}

// sourceByKey returns the content source with this key, or nil.
func (g *generator) sourceByKey(key string) *contentSource {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.sources[key]
}
