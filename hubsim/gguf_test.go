package hubsim

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
)

// ggufReader is a minimal GGUF v3 parser, independent of the encoder, that
// reads a generated file back.
type ggufReader struct {
	c   content
	off int64
	err error
}

type parsedGGUF struct {
	version   uint32
	kv        map[string]any
	keys      []string
	tensors   []parsedTensor
	dataStart int64
}

type parsedTensor struct {
	name   string
	dims   []uint64
	typ    uint32
	offset uint64
}

func (r *ggufReader) bytes(n int64) []byte {
	if r.err != nil {
		return make([]byte, n)
	}
	if n < 0 || r.off+n > r.c.size() || n > 64<<20 {
		r.err = fmt.Errorf("read %d bytes at %d: past the end (%d)", n, r.off, r.c.size())
		return make([]byte, max(n, 0))
	}
	b := make([]byte, n)
	r.c.readAt(b, r.off)
	r.off += n
	return b
}

func (r *ggufReader) u32() uint32 { return binary.LittleEndian.Uint32(r.bytes(4)) }
func (r *ggufReader) u64() uint64 { return binary.LittleEndian.Uint64(r.bytes(8)) }
func (r *ggufReader) str() string { return string(r.bytes(int64(r.u64()))) }

func (r *ggufReader) value(typ uint32) any {
	switch typ {
	case 0, 1, 7:
		return r.bytes(1)[0]
	case 2, 3:
		return binary.LittleEndian.Uint16(r.bytes(2))
	case 4:
		return r.u32()
	case 5:
		return int32(r.u32())
	case 6:
		return math.Float32frombits(r.u32())
	case 8:
		return r.str()
	case 9:
		et, n := r.u32(), r.u64()
		if n > 10_000_000 {
			r.err = fmt.Errorf("array of %d elements", n)
			return nil
		}
		out := make([]any, n)
		for i := range out {
			out[i] = r.value(et)
		}
		return out
	case 10, 11:
		return r.u64()
	case 12:
		return math.Float64frombits(r.u64())
	}
	r.err = fmt.Errorf("unknown value type %d", typ)
	return nil
}

func parseGGUF(c content) (*parsedGGUF, error) {
	r := &ggufReader{c: c}
	if magic := string(r.bytes(4)); magic != "GGUF" {
		return nil, fmt.Errorf("magic %q", magic)
	}
	p := &parsedGGUF{version: r.u32(), kv: map[string]any{}}
	nt, nkv := r.u64(), r.u64()
	for range nkv {
		k := r.str()
		p.kv[k] = r.value(r.u32())
		p.keys = append(p.keys, k)
	}
	for range nt {
		t := parsedTensor{name: r.str()}
		nd := r.u32()
		for range nd {
			t.dims = append(t.dims, r.u64())
		}
		t.typ, t.offset = r.u32(), r.u64()
		p.tensors = append(p.tensors, t)
	}
	align := int64(32)
	if a, ok := p.kv["general.alignment"].(uint32); ok {
		align = int64(a)
	}
	p.dataStart = (r.off + align - 1) / align * align
	return p, r.err
}

func mustBuiltin(tb testing.TB) *Catalog {
	tb.Helper()
	cat, err := BuiltinCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// mustFile returns a file of the built-in catalog at main.
func mustFile(tb testing.TB, cat *Catalog, repo, path string) *fileEntry {
	tb.Helper()
	re, _ := cat.idx.lookupTyped(repo)
	if re == nil {
		tb.Fatalf("no repo %s", repo)
	}
	f := re.main.byPath[path]
	if f == nil {
		tb.Fatalf("no file %s in %s", path, repo)
	}
	return f
}

func mustContent(tb testing.TB, f *fileEntry) content {
	tb.Helper()
	c, err := f.src.content()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// checkTensors verifies a tensor table against the file: offsets aligned,
// in order, not overlapping, and the data filling the file exactly. It
// returns the parameter count.
func checkTensors(t *testing.T, p *parsedGGUF, size int64) int64 {
	t.Helper()
	var params int64
	next := uint64(0)
	seen := map[string]bool{}
	for _, tn := range p.tensors {
		if seen[tn.name] {
			t.Errorf("tensor %s listed twice", tn.name)
		}
		seen[tn.name] = true
		if tn.offset%32 != 0 || tn.offset != next {
			t.Fatalf("tensor %s at offset %d, want %d (aligned to 32)", tn.name, tn.offset, next)
		}
		n := int64(1)
		for _, d := range tn.dims {
			n *= int64(d)
		}
		params += n
		elems, bytes := ggmlType(tn.typ).blockSize()
		if tn.dims[0]%uint64(elems) != 0 {
			t.Errorf("tensor %s: row of %d elements is not a multiple of the %d-element block of type %d", tn.name, tn.dims[0], elems, tn.typ)
		}
		next += uint64(alignUp(n/elems*bytes, 32))
	}
	if got := p.dataStart + int64(next); got != size {
		t.Errorf("data start %d + tensor data %d = %d, want the file size %d", p.dataStart, next, got, size)
	}
	return params
}

func TestGGUFRoundTrip(t *testing.T) {
	cat := mustBuiltin(t)
	for _, tt := range []struct {
		repo, path   string
		arch         string
		fileType     uint32
		vocab        int
		params       int64
		sizeNear     float64 // the real file's size in bytes, ±1%; 0: unchecked
		chatTemplate bool
	}{
		{"hubsim/tiny-llama-GGUF", "tiny-llama-Q4_K_M.gguf", "llama", 15, 8192, 0, 0, true},
		{"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "qwen2.5-coder-7b-instruct-q4_k_m.gguf", "qwen2", 15, 152064, 7_615_616_512, 4.68e9, true},
		{"Qwen/Qwen2.5-Coder-7B-Instruct-GGUF", "qwen2.5-coder-7b-instruct-q8_0.gguf", "qwen2", 7, 152064, 7_615_616_512, 8.10e9, true},
		{"TheBloke/CodeLlama-7B-Instruct-GGUF", "codellama-7b-instruct.Q4_K_M.gguf", "llama", 15, 32016, 0, 4.08e9, true},
		{"bartowski/deepseek-coder-6.7b-instruct-GGUF", "deepseek-coder-6.7b-instruct-Q4_K_M.gguf", "llama", 15, 32256, 0, 4.08e9, true},
		{"second-state/StarCoder2-7B-GGUF", "starcoder2-7b-Q4_K_M.gguf", "starcoder2", 15, 49152, 0, 0, false},
		{"TheBloke/Mistral-7B-Instruct-v0.2-GGUF", "mistral-7b-instruct-v0.2.Q4_K_M.gguf", "llama", 15, 32000, 7_241_732_096, 4.37e9, true},
	} {
		t.Run(tt.path, func(t *testing.T) {
			f := mustFile(t, cat, tt.repo, tt.path)
			c := mustContent(t, f)
			p, err := parseGGUF(c)
			if err != nil {
				t.Fatal(err)
			}
			if p.version != 3 {
				t.Errorf("version %d, want 3", p.version)
			}
			if got := p.kv["general.architecture"]; got != tt.arch {
				t.Errorf("general.architecture = %v, want %s", got, tt.arch)
			}
			if got := p.kv["general.file_type"]; got != tt.fileType {
				t.Errorf("general.file_type = %v, want %d", got, tt.fileType)
			}
			for _, k := range []string{"general.name", "general.quantization_version", "general.alignment",
				tt.arch + ".context_length", tt.arch + ".embedding_length", tt.arch + ".block_count",
				tt.arch + ".feed_forward_length", tt.arch + ".attention.head_count", tt.arch + ".attention.head_count_kv",
				tt.arch + ".rope.freq_base", "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.token_type",
				"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"} {
				if _, ok := p.kv[k]; !ok {
					t.Errorf("key %s missing", k)
				}
			}
			if _, ok := p.kv["tokenizer.chat_template"]; ok != tt.chatTemplate {
				t.Errorf("tokenizer.chat_template present=%v, want %v", ok, tt.chatTemplate)
			}
			toks, _ := p.kv["tokenizer.ggml.tokens"].([]any)
			types, _ := p.kv["tokenizer.ggml.token_type"].([]any)
			if len(toks) != tt.vocab || len(types) != tt.vocab {
				t.Errorf("%d tokens and %d token types, want %d", len(toks), len(types), tt.vocab)
			}
			if p.kv["tokenizer.ggml.model"] == "gpt2" {
				merges, _ := p.kv["tokenizer.ggml.merges"].([]any)
				if len(merges) < tt.vocab/2 {
					t.Errorf("%d merges for a vocabulary of %d", len(merges), tt.vocab)
				}
				checkMerges(t, toks, merges)
			}
			if bos, ok := p.kv["tokenizer.ggml.bos_token_id"].(uint32); !ok || int(bos) >= len(toks) {
				t.Errorf("bos_token_id %v out of range", p.kv["tokenizer.ggml.bos_token_id"])
			}
			params := checkTensors(t, p, c.size())
			if want := parameterCount(f.src.gguf.model); params != want {
				t.Errorf("tensor elements add up to %d, want the model's %d", params, want)
			}
			if tt.params != 0 && params != tt.params {
				t.Errorf("%d parameters, want %d", params, tt.params)
			}
			if tt.sizeNear != 0 && math.Abs(float64(c.size())/tt.sizeNear-1) > 0.01 {
				t.Errorf("size %d, want within 1%% of the real file's %.0f", c.size(), tt.sizeNear)
			}
			if c.headerLen() != p.dataStart {
				t.Errorf("headerLen %d, parsed data start %d", c.headerLen(), p.dataStart)
			}
		})
	}
}

// checkMerges verifies that every merge joins two tokens into a token.
func checkMerges(t *testing.T, toks, merges []any) {
	t.Helper()
	set := make(map[string]bool, len(toks))
	for _, tok := range toks {
		set[tok.(string)] = true
	}
	for i, m := range merges {
		l, r, ok := strings.Cut(m.(string), " ")
		if !ok || !set[l] || !set[r] || !set[l+r] {
			t.Fatalf("merge %d %q does not join two tokens into a token", i, m)
		}
	}
}

func TestGGUFShards(t *testing.T) {
	cat := mustBuiltin(t)
	var params int64
	var model *ModelSpec
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("qwen2.5-coder-14b-instruct-q4_k_m-%05d-of-00003.gguf", i)
		f := mustFile(t, cat, "Qwen/Qwen2.5-Coder-14B-Instruct-GGUF", name)
		model = f.src.gguf.model
		c := mustContent(t, f)
		p, err := parseGGUF(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := p.kv["split.no"]; got != uint16(i-1) {
			t.Errorf("%s: split.no = %v, want %d", name, got, i-1)
		}
		if got := p.kv["split.count"]; got != uint16(3) {
			t.Errorf("%s: split.count = %v, want 3", name, got)
		}
		ts, _ := ggufTensors(model)
		if got := p.kv["split.tensors.count"]; got != int32(len(ts)) {
			t.Errorf("%s: split.tensors.count = %v, want %d", name, got, len(ts))
		}
		_, hasArch := p.kv["general.architecture"]
		if hasArch != (i == 1) {
			t.Errorf("%s: general.architecture present=%v; only the first shard holds the metadata", name, hasArch)
		}
		params += checkTensors(t, p, c.size())
	}
	if want := parameterCount(model); params != want || want < 14_700_000_000 || want > 14_800_000_000 {
		t.Errorf("shards hold %d parameters, model %d; want Qwen2.5-14B's 14.77 B", params, want)
	}
}
