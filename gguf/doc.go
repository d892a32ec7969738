// Package gguf reads the header of a GGUF model file (the format of
// llama.cpp, LM Studio and Ollama) through an io.ReaderAt, without reading
// the tensor data, and derives what a user wants to know before downloading
// several gigabytes: the architecture, the quantization, the parameter count
// and an estimate of the memory needed to run the model.
//
// The header is read in large chunks (DefaultChunkSize at first, doubling up
// to DefaultMaxChunkSize), so a ReaderAt whose every ReadAt is one HTTP Range
// request makes a handful of requests even for the multi-megabyte headers of
// models with 150k-token vocabularies. Reading stops at the end of the tensor
// table; at most one chunk beyond it is fetched, and never more than
// Options.MaxHeaderSize bytes in total.
//
// A GGUF file is untrusted input. Read bounds every count, length and nesting
// depth (see Options) and never allocates more than the header bytes it has
// read justify, so a hostile file cannot make it allocate gigabytes or loop
// forever. Errors are *hfgate.Error values with code hfgate.EINVALID for a
// file that is not GGUF, is truncated or is corrupt; errors of the underlying
// reader are passed on so that callers see network failures as such.
//
// Format reference: the GGUF specification in ggml-org/ggml docs/gguf.md, the
// ggml type traits in ggml-common.h, and the llama_ftype enum in llama.h.
package gguf
