package gguf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/hfgate/hfgate"
)

// sparseFile is a file of size bytes that starts with head and is zero
// after it, like a multi-GB model whose tensor data we must not read.
type sparseFile struct {
	head []byte
	size int64
}

func (s sparseFile) ReadAt(p []byte, off int64) (int, error) {
	if off >= s.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.size-off))
	clear(p[:n])
	if off < int64(len(s.head)) {
		copy(p[:n], s.head[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// countingReaderAt records every ReadAt, as an HTTP reader would see Range
// requests.
type countingReaderAt struct {
	r     io.ReaderAt
	mu    sync.Mutex
	reads [][2]int64 // offset, length
	bytes int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.mu.Lock()
	c.reads = append(c.reads, [2]int64{off, int64(len(p))})
	c.bytes += int64(n)
	c.mu.Unlock()
	return n, err
}

// vocabFixture is a header like a qwen2 model's: a vocabulary of n tokens
// with scores, types and merges, and a table of 339 tensors.
func vocabFixture(n int) fixture {
	tokens, merges := make([]string, n), make([]string, n)
	scores, types := make([]float32, n), make([]int32, n)
	for i := range n {
		tokens[i] = fmt.Sprintf("tok%d_", i)
		merges[i] = fmt.Sprintf("m%d x%d", i, i%977)
		scores[i], types[i] = float32(-i), int32(1+i%3)
	}
	return fixture{
		kv: append(qwen2KV(), kvs(
			"tokenizer.ggml.model", "gpt2", "tokenizer.ggml.tokens", tokens,
			"tokenizer.ggml.scores", scores, "tokenizer.ggml.token_type", types,
			"tokenizer.ggml.merges", merges,
			"tokenizer.chat_template", string(bytes.Repeat([]byte("{% if x %}y{% endif %}"), 200)),
		)...),
		tensors: qwen2Tensors(n),
	}
}

func TestReadOnlyHeaderOfLargeFile(t *testing.T) {
	head, headerLen := fixture{kv: qwen2KV(), tensors: qwen2Tensors(152064)}.encode()
	const size = 4 << 30 // a file claiming 4 GiB
	c := &countingReaderAt{r: sparseFile{head: head, size: size}}
	f, err := Read(t.Context(), c, size)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 339 || f.DataOffset < int64(headerLen) {
		t.Fatalf("got %d tensors, DataOffset %d", len(f.Tensors), f.DataOffset)
	}
	if c.bytes >= size/100 {
		t.Errorf("read %d bytes of a %d-byte file, want < 1%%", c.bytes, int64(size))
	}
	if len(c.reads) != 1 {
		t.Errorf("ReadAt calls = %v, want one chunk for a %d-byte header", c.reads, headerLen)
	}
}

func TestReadMultiMegabyteHeaderInFewReads(t *testing.T) {
	b, headerLen := vocabFixture(152064).encode()
	if headerLen < 5<<20 {
		t.Fatalf("fixture header is %d bytes, want a multi-MB one", headerLen)
	}
	file := sparseFile{head: b, size: 5 << 30}
	c := &countingReaderAt{r: file}
	f, err := Read(t.Context(), c, file.size)
	if err != nil {
		t.Fatal(err)
	}
	if toks, _ := f.Strings(KeyTokens); len(toks) != 152064 || toks[151999] != "tok151999_" {
		t.Fatalf("tokens: %d", len(toks))
	}
	// 2 MiB, then 4 MiB, then 8 MiB covers up to 14 MiB.
	if len(c.reads) > 3 {
		t.Errorf("ReadAt calls = %v for a %d-byte header, want at most 3", c.reads, headerLen)
	}
	for _, r := range c.reads {
		if r[0] >= f.DataOffset {
			t.Errorf("read at %d, at or past the tensor data at %d", r[0], f.DataOffset)
		}
	}
	if max := f.DataOffset + DefaultMaxChunkSize; c.bytes > max {
		t.Errorf("read %d bytes, want at most header + one max chunk = %d", c.bytes, max)
	}
	// Smaller chunks: reads grow geometrically, so the count stays logarithmic.
	c = &countingReaderAt{r: file}
	if _, err := (Options{ChunkSize: 64 << 10}).Read(t.Context(), c, file.size); err != nil {
		t.Fatal(err)
	}
	if len(c.reads) > 9 { // 64K·(2^9-1) ≈ 32 MiB, 16 MiB cap reached after 8 reads
		t.Errorf("with 64 KiB chunks: %d ReadAt calls, want at most 9", len(c.reads))
	}
}

type errReaderAt struct{ err error }

func (e errReaderAt) ReadAt([]byte, int64) (int, error) { return 0, e.err }

func TestReadReaderErrors(t *testing.T) {
	netErr := errors.New("connection reset by peer")
	hubErr := hfgate.Errorf(hfgate.EGATED, "access to this repo is not granted yet")
	tests := []struct {
		name string
		r    io.ReaderAt
		want error
		code string
	}{
		{"network error", errReaderAt{netErr}, netErr, hfgate.EUNAVAILABLE},
		{"hfgate error passes unchanged", errReaderAt{hubErr}, hubErr, hfgate.EGATED},
		{"short read without error", shortReaderAt{}, io.ErrNoProgress, hfgate.EUNAVAILABLE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(t.Context(), tt.r, 1<<20)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.want)
			}
			if code := hfgate.ErrorCode(err); code != tt.code {
				t.Errorf("code = %q, want %q", code, tt.code)
			}
		})
	}
	if _, err := Read(t.Context(), errReaderAt{hubErr}, 1<<20); err != hubErr {
		t.Errorf("err = %#v, want the reader's *hfgate.Error itself", err)
	}
}

// shortReaderAt breaks the io.ReaderAt contract: fewer bytes, no error.
type shortReaderAt struct{}

func (shortReaderAt) ReadAt(p []byte, _ int64) (int, error) { return copy(p, "GG"), nil }

func TestReadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	b, _ := fixture{kv: qwen2KV()}.encode()
	c := &countingReaderAt{r: bytes.NewReader(b)}
	_, err := Read(ctx, c, int64(len(b)))
	if !errors.Is(err, context.Canceled) || hfgate.ErrorCode(err) != hfgate.ECANCELED {
		t.Errorf("err = %v (code %q), want context.Canceled, ECANCELED", err, hfgate.ErrorCode(err))
	}
	if len(c.reads) != 0 {
		t.Errorf("%d reads after cancel, want 0", len(c.reads))
	}
}
