package fit

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/gguf"
)

// shard is one file of a group and what reading its header gave.
type shard struct {
	file   hfgate.RepoFile
	index  int // 1-based shard number; 0 for a single file
	header *gguf.File
	err    error
}

// fileGroup is one Entry to be: a single file, or the shards of a split
// GGUF model found in the listing.
type fileGroup struct {
	shards []*shard
	count  int // shards the names announce; 0 for a single file
	// tooLarge marks a group known not to fit without reading its headers.
	tooLarge bool
}

// size is the bytes of every shard.
func (g *fileGroup) size() int64 {
	var n int64
	for _, s := range g.shards {
		n += s.file.Size
	}
	return n
}

// IsGGUF reports whether a path names a GGUF file, the only kind of model
// file this package estimates.
func IsGGUF(p string) bool { return strings.EqualFold(path.Ext(p), ".gguf") }

// shardSuffixLen is the length of gguf-split's name suffix.
const shardSuffixLen = len("-00001-of-00003.gguf")

// group turns a listing into groups, in listing order (a split model at
// its first shard's place). Directories are skipped.
func group(files []hfgate.RepoFile) []*fileGroup {
	var out []*fileGroup
	split := map[string]*fileGroup{} // by name without the shard suffix
	for _, f := range files {
		if f.IsDir {
			continue
		}
		idx, count, ok := gguf.ShardInfo(f.Path)
		if !ok || !IsGGUF(f.Path) {
			out = append(out, &fileGroup{shards: []*shard{{file: f}}})
			continue
		}
		key := fmt.Sprintf("%s/%d", f.Path[:len(f.Path)-shardSuffixLen], count)
		gr := split[key]
		if gr == nil {
			gr = &fileGroup{count: count}
			split[key] = gr
			out = append(out, gr)
		}
		gr.shards = append(gr.shards, &shard{file: f, index: idx})
	}
	for _, gr := range split {
		slices.SortFunc(gr.shards, func(a, b *shard) int { return a.index - b.index })
	}
	return out
}

// complete reports whether a split model has every shard, once each.
func (g *fileGroup) complete() bool {
	if g.count == 0 {
		return true
	}
	if len(g.shards) != g.count {
		return false
	}
	for i, s := range g.shards {
		if s.index != i+1 {
			return false
		}
	}
	return true
}

// readable reports whether the group's headers are worth reading.
func (g *fileGroup) readable() bool {
	return IsGGUF(g.shards[0].file.Path) && g.complete() && !g.tooLarge
}

// entry builds the group's Entry from the headers read.
func (g *fileGroup) entry(opts Options) Entry {
	first := g.shards[0].file
	e := Entry{Path: first.Path, Size: g.size(), GGUF: IsGGUF(first.Path)}
	for _, s := range g.shards {
		if g.count > 0 {
			e.Shards = append(e.Shards, s.file.Path)
		}
	}
	if !e.GGUF {
		return e
	}
	e.Fits = Unknown
	if q := gguf.QuantizationFromFilename(first.Path); q != "" {
		e.Quantization, e.QuantizationSource = q, "filename"
	}
	if !g.complete() {
		e.Problem = fmt.Sprintf("the repository has %d of the %d shards of this model", len(g.shards), g.count)
		return e
	}
	if g.tooLarge {
		e.Fits = TooBig // the weights alone are larger than the budget
		return e
	}
	headers := make([]*gguf.File, 0, len(g.shards))
	for _, s := range g.shards {
		if s.err != nil {
			e.Problem = "cannot read the GGUF header of " + s.file.Path + ": " + hfgate.ErrorMessage(s.err)
			return e
		}
		headers = append(headers, s.header)
	}
	describe(&e, headers)
	est, err := gguf.Estimate(headers, gguf.EstimateOptions{ContextLength: opts.ContextLength})
	if err != nil {
		e.Problem = "cannot estimate memory: " + hfgate.ErrorMessage(err)
		return e
	}
	e.Memory = newMemory(est)
	e.Fits = opts.Budget.Verdict(est.Total)
	return e
}

// describe fills in what the headers say about the model.
func describe(e *Entry, headers []*gguf.File) {
	for _, h := range headers {
		e.Parameters += h.ParameterCount()
		if h.Architecture() == "" {
			continue
		}
		e.Architecture = h.Architecture()
		e.ModelContextLength = h.ContextLength()
		if t, ok := h.FileType(); ok && t.Name() != "" {
			e.Quantization, e.QuantizationSource = t.Name(), "header"
		} else if q := h.Quantization(); e.Quantization == "" && q != "" {
			e.Quantization, e.QuantizationSource = q, "header"
		}
	}
}
