package gguf

import (
	"context"
	"io"
)

// Defaults for Options. The caps are far above any real model (the largest
// vocabularies have about 260k tokens, real files carry a few dozen keys and
// at most a few thousand tensors) and far below what would hurt a machine.
const (
	// DefaultChunkSize is the size of the first read, the same 2 MB that
	// @huggingface/gguf fetches; most headers fit in it.
	DefaultChunkSize = 2 << 20
	// DefaultMaxChunkSize caps the doubling of later reads, so a 10 MB
	// header takes three reads and the overshoot past the header stays small.
	DefaultMaxChunkSize = 16 << 20
	// DefaultMaxHeaderSize caps the bytes read in total. Real headers with
	// 150k-token vocabularies are 5–12 MB.
	DefaultMaxHeaderSize = 64 << 20
	DefaultMaxKVs        = 1 << 16
	DefaultMaxTensors    = 1 << 20
	DefaultMaxStringLen  = 16 << 20 // chat templates are tens of KB
	DefaultMaxArrayLen   = 1 << 22  // tokenizer arrays hold up to a few 100k items
	DefaultMaxDepth      = 4        // arrays of arrays, as @huggingface/gguf allows
	DefaultMaxDims       = 8        // ggml uses at most 4
)

// Options tunes Read. The zero value uses the Default constants; a field
// that is zero or negative means its default.
type Options struct {
	ChunkSize     int   // size of the first read
	MaxChunkSize  int   // later reads double up to this size
	MaxHeaderSize int64 // never read at or beyond this file offset
	MaxKVs        int   // metadata key-value pairs
	MaxTensors    int   // tensor infos
	MaxStringLen  int   // bytes of one string (a key, a value, a tensor name)
	MaxArrayLen   int   // elements of one array
	MaxDepth      int   // nesting of arrays; 1 allows arrays but not arrays of arrays
	MaxDims       int   // dimensions of one tensor
}

func orDefault[T int | int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func (o Options) withDefaults() Options {
	o.ChunkSize = orDefault(o.ChunkSize, DefaultChunkSize)
	o.MaxChunkSize = max(orDefault(o.MaxChunkSize, DefaultMaxChunkSize), o.ChunkSize)
	o.MaxHeaderSize = orDefault(o.MaxHeaderSize, DefaultMaxHeaderSize)
	o.MaxKVs = orDefault(o.MaxKVs, DefaultMaxKVs)
	o.MaxTensors = orDefault(o.MaxTensors, DefaultMaxTensors)
	o.MaxStringLen = orDefault(o.MaxStringLen, DefaultMaxStringLen)
	o.MaxArrayLen = orDefault(o.MaxArrayLen, DefaultMaxArrayLen)
	o.MaxDepth = orDefault(o.MaxDepth, DefaultMaxDepth)
	o.MaxDims = orDefault(o.MaxDims, DefaultMaxDims)
	return o
}

// Read parses the GGUF header of the file r, of size bytes, with the
// default Options. See Options.Read.
func Read(ctx context.Context, r io.ReaderAt, size int64) (*File, error) {
	return Options{}.Read(ctx, r, size)
}

// Read parses the GGUF header of the file r: magic, version, every metadata
// key-value pair and every tensor info, up to the start of the tensor data.
// size is the file's size in bytes, or -1 if unknown (then the end of the
// file is where r returns io.EOF).
//
// Read never reads tensor data as such: its reads are sized before the end
// of the header is known, so the last one may run up to one chunk past it,
// and no read goes beyond MaxHeaderSize. Each read of r is preceded by a
// check of ctx; r itself should honour the same context (an HTTP reader
// built with it), since io.ReaderAt takes none.
//
// Versions 2 and 3 are read, little- or big-endian (detected as
// @huggingface/gguf does). Version 1, which llama.cpp no longer loads, is
// refused. Errors: an *hfgate.Error with code EINVALID wrapping ErrNotGGUF,
// ErrVersion, ErrCorrupt, ErrLimit or io.ErrUnexpectedEOF (truncated file);
// errors of r as described in the package doc. Read is safe for concurrent
// use if r is; the returned File is immutable.
func (o Options) Read(ctx context.Context, r io.ReaderAt, size int64) (*File, error) {
	o = o.withDefaults()
	c := &chunkReader{ctx: ctx, r: r, size: size, limit: o.MaxHeaderSize,
		chunk: o.ChunkSize, maxChunk: o.MaxChunkSize}
	if size < 0 {
		c.size = -1
	}
	d := &decoder{c: c, o: o}
	return d.file()
}
