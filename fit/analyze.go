package fit

import (
	"cmp"
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gguf"
)

// DefaultConcurrency is how many GGUF headers Analyze reads at once.
const DefaultConcurrency = 4

// Opener returns a reader over one file of a repository at a fixed
// revision, whose ReadAt calls fetch only the bytes asked for (an HTTP
// Range request each, for a remote file). Errors are *hfgate.Error values.
type Opener func(ctx context.Context, path string) (io.ReaderAt, error)

// Options are the settings of Analyze. The zero value reads headers
// DefaultConcurrency at a time, estimates at gguf's default context and has
// an unknown budget.
type Options struct {
	Budget Budget
	// ContextLength is the n_ctx estimates assume. Zero means the model's
	// own context length capped at gguf.DefaultContextCap (8192).
	ContextLength int64
	// Concurrency bounds the headers read at once; 0 means
	// DefaultConcurrency.
	Concurrency int
	// Each, if not nil, gets every entry as soon as it is known, with its
	// index in the result: files with nothing to read at once, a GGUF
	// model once its headers are read. Calls come one at a time, from
	// Analyze's goroutines, in no fixed order; a slow Each holds up the
	// others. Nothing is passed after Analyze returns.
	Each func(i int, e Entry)
}

// Analyze describes each file of a repository (files as hfgate.Hub's
// ModelInfo with blobs, or Tree, lists them; directories are skipped):
// size, quantization and, for GGUF files, what the header says and the
// memory estimate with its verdict against opts.Budget. The shards of a
// split model ("name-00001-of-00003.gguf") become one Entry. Headers are
// read through open, opts.Concurrency at a time; only header bytes are
// fetched. Entries come in the order of files.
//
// A header that is not valid GGUF, or shards that are incomplete, give the
// entry a Problem and no estimate. Analyze fails when ctx ends or when
// reading any header fails for want of access or network (EUNAUTHORIZED,
// EGATED, EFORBIDDEN, EUNAVAILABLE, ECANCELED): the answer would be wrong
// for every file.
func Analyze(ctx context.Context, open Opener, files []hfgate.RepoFile, opts Options) ([]Entry, error) {
	return analyze(ctx, open, group(files), opts)
}

// List describes each file of a repository as Analyze does, from the
// listing alone: sizes, split models as one Entry, quantizations from file
// names, and for GGUF files the verdict Unknown (or TooBig, when the file
// alone is larger than the budget's usable part), with no estimate. It
// reads nothing, for showing a repository's files before Analyze is done.
func List(files []hfgate.RepoFile, b Budget) []Entry {
	groups := group(files)
	out := make([]Entry, len(groups))
	for i, gr := range groups {
		gr.tooLarge = IsGGUF(gr.shards[0].file.Path) && b.Verdict(gr.size()) == TooBig
		if gr.readable() {
			gr.tooLarge = true // what entry says without headers...
			e := gr.entry(Options{Budget: b})
			e.Fits = Unknown // ...except that it may fit
			out[i] = e
			continue
		}
		out[i] = gr.entry(Options{Budget: b})
	}
	return out
}

// analyze reads the headers of the readable groups and builds the entries.
func analyze(ctx context.Context, open Opener, groups []*fileGroup, opts Options) ([]Entry, error) {
	var eachMu sync.Mutex
	each := func(i int, gr *fileGroup) {
		if opts.Each != nil {
			eachMu.Lock()
			defer eachMu.Unlock()
			opts.Each(i, gr.entry(opts))
		}
	}
	for i, gr := range groups {
		if !gr.readable() {
			each(i, gr)
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(opts.Concurrency, DefaultConcurrency))
	for i, gr := range groups {
		if !gr.readable() {
			continue
		}
		var left atomic.Int32
		left.Store(int32(len(gr.shards)))
		for _, s := range gr.shards {
			g.Go(func() error {
				s.header, s.err = readHeader(gctx, open, s)
				if s.err != nil && fatal(s.err) {
					return s.err
				}
				if left.Add(-1) == 0 {
					each(i, gr)
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	entries := make([]Entry, len(groups))
	for i, gr := range groups {
		entries[i] = gr.entry(opts)
	}
	return entries, nil
}

// laterShardChunk is the first read of a split model's second and later
// shards, whose headers hold no tokenizer and are a few kilobytes.
const laterShardChunk = 256 << 10

// readHeader parses the GGUF header of one file.
func readHeader(ctx context.Context, open Opener, s *shard) (*gguf.File, error) {
	r, err := open(ctx, s.file.Path)
	if err != nil {
		return nil, err
	}
	size := s.file.Size
	if size <= 0 {
		size = -1
	}
	var o gguf.Options
	if s.index > 1 {
		o.ChunkSize = laterShardChunk
	}
	return o.Read(ctx, r, size)
}

// fatal reports whether a header read failed for a reason that is not the
// file's: access, the network, or the end of ctx.
func fatal(err error) bool {
	switch hfgate.ErrorCode(err) {
	case hfgate.EUNAUTHORIZED, hfgate.EGATED, hfgate.EFORBIDDEN, hfgate.EUNAVAILABLE, hfgate.ECANCELED:
		return true
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
