package hubsim

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"
)

// TestContentRangesMatchSequentialRead checks that any byte range produced
// directly equals the same range of a sequential read, across the header /
// data boundary and at unaligned offsets.
func TestContentRangesMatchSequentialRead(t *testing.T) {
	cat := mustBuiltin(t)
	for _, f := range []*fileEntry{
		mustFile(t, cat, "hubsim/tiny-llama-GGUF", "tiny-llama-Q2_K.gguf"),
		mustFile(t, cat, "sentence-transformers/all-MiniLM-L6-v2", "model.safetensors"),
		mustFile(t, cat, "hubsim/benchmark", "small/file-07.bin"),
	} {
		c := mustContent(t, f)
		// The first 4 MiB (all of the small files) read sequentially.
		size := min(c.size(), 4<<20)
		whole, err := io.ReadAll(io.LimitReader(newContentReader(c, -1), size))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(whole)) != size {
			t.Fatalf("%s: read %d bytes, want %d", f.path, len(whole), size)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		offs := []int64{0, 1, 7, c.headerLen() - 3, c.headerLen(), size - 9}
		for range 200 {
			offs = append(offs, rng.Int64N(size))
		}
		for _, off := range offs {
			off = max(0, off)
			n := min(int64(1+rng.IntN(100_000)), size-off)
			got := make([]byte, n)
			c.readAt(got, off)
			if !bytes.Equal(got, whole[off:off+n]) {
				t.Fatalf("%s: bytes [%d, %d) differ from the sequential read", f.path, off, off+n)
			}
		}
	}
}

func TestContentDeterministicAndDistinct(t *testing.T) {
	a := &genContent{total: 1 << 20, seed: seedOf("a")}
	b := &genContent{total: 1 << 20, seed: seedOf("b")}
	read := func(c content, off, n int64) []byte {
		p := make([]byte, n)
		c.readAt(p, off)
		return p
	}
	if !bytes.Equal(read(a, 4096, 4096), read(&genContent{total: 1 << 20, seed: seedOf("a")}, 4096, 4096)) {
		t.Error("same seed, different bytes")
	}
	if bytes.Equal(read(a, 0, 4096), read(b, 0, 4096)) {
		t.Error("different seeds, same bytes")
	}
	// Blocks at different offsets of one file differ, so a download that
	// writes a block at the wrong place fails its hash check.
	if bytes.Equal(read(a, 0, 4096), read(a, 4096, 4096)) || bytes.Equal(read(a, 0, 64), read(a, 1<<19, 64)) {
		t.Error("content repeats at different offsets")
	}
}

func TestContentReaderSeekAndCorrupt(t *testing.T) {
	c := &genContent{total: 10_000, seed: seedOf("x")}
	clean, _ := io.ReadAll(newContentReader(c, -1))
	r := newContentReader(c, 5000)
	if _, err := r.Seek(4990, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 20)
	if _, err := io.ReadFull(r, got); err != nil {
		t.Fatal(err)
	}
	for i := range got {
		want := clean[4990+i]
		if 4990+i == 5000 {
			want ^= 0xFF
		}
		if got[i] != want {
			t.Fatalf("byte %d = %#x, want %#x", 4990+i, got[i], want)
		}
	}
	if pos, _ := r.Seek(-10, io.SeekEnd); pos != 9990 {
		t.Errorf("Seek(-10, end) = %d, want 9990", pos)
	}
	if n, err := io.Copy(io.Discard, r); n != 10 || err != nil {
		t.Errorf("read %d bytes (err %v) after seeking to 10 before the end", n, err)
	}
	if _, err := r.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek to a negative position: want an error")
	}
}

func TestCardRendersFrontMatter(t *testing.T) {
	got, err := renderCard([]byte(`{"license":"apache-2.0","language":["en"],"base_model":"Qwen/Qwen2.5-Coder-7B-Instruct","inference":false,"extra":{"a":1,"b":"yes"},"tags":[]}`), "# Title\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "---\nlicense: apache-2.0\nlanguage:\n  - en\nbase_model: Qwen/Qwen2.5-Coder-7B-Instruct\ninference: false\nextra:\n  a: 1\n  b: \"yes\"\ntags: []\n---\n\n# Title\n"
	if string(got) != want {
		t.Errorf("card:\n%s\nwant:\n%s", got, want)
	}
}

// BenchmarkGenerate measures pseudo-random content generation, which bounds
// how fast hubsim can serve a file (it must reach several GB/s per core).
func BenchmarkGenerate(b *testing.B) {
	c := &genContent{total: 1 << 40, seed: seedOf("bench")}
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	var off int64
	for b.Loop() {
		c.readAt(buf, off)
		off += int64(len(buf)) + 3 // unaligned on purpose
	}
}

// BenchmarkGGUFHeader measures building a 152k-token GGUF header.
func BenchmarkGGUFHeader(b *testing.B) {
	cat := mustBuiltin(b)
	re, _ := cat.idx.lookupTyped("Qwen/Qwen2.5-Coder-7B-Instruct-GGUF")
	src := re.main.byPath["qwen2.5-coder-7b-instruct-q4_k_m.gguf"].src
	m, t := src.gguf.model, src.gguf.tok
	v, err := cat.idx.gen.vocab(m)
	if err != nil {
		b.Fatal(err)
	}
	l, err := newGGUFLayout(m, t, v, GGUFSpec{Model: "x", Quant: "Q4_K_M"})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(l.headerLen)
	for b.Loop() {
		l.header()
	}
}
