package blobcache

import (
	"context"
	"slices"
)

// A fill's streams take parts in order, so that the prefix readers stream
// from fills first, except that a reader waiting for bytes no stream will
// reach soon goes first. When the reader's offset is far (splitMin) past
// where the part holding it has got, the part is split there, its stream
// stopping at the split; the new part, starting at the reader's offset,
// is taken next, and one extra stream (the urgent worker) takes such parts
// at once. So a client resuming in the middle of a cold file waits for one
// request, not for the parts before its offset.

// splitMin is how far past where a part has got a waiting reader must be
// for the part to be split at the reader's offset: nearer, the part's own
// stream (or its first request) gets there about as soon as a new request
// would.
const splitMin = 4 << 20

// pending counts the parts with bytes left.
func (f *fill) pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, p := range f.j.Parts {
		if p.Done < p.End {
			n++
		}
	}
	return n
}

// next takes the part to fetch next: one a waiting reader needs, else the
// first part nobody fetches; nil when none is left.
func (f *fill) next() *part {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.wantedLocked(); p != nil {
		return p
	}
	for _, p := range f.j.Parts {
		if !p.taken && p.Done < p.End {
			p.taken = true
			return p
		}
	}
	return nil
}

// nextWanted waits until a reader waits for bytes no stream will reach
// soon and takes the part for them (see wantedLocked). It returns nil once
// every part is done, or ctx ends.
func (f *fill) nextWanted(ctx context.Context) *part {
	for {
		f.mu.Lock()
		p := f.wantedLocked()
		left := p != nil || slices.ContainsFunc(f.j.Parts, func(p *part) bool { return p.Done < p.End })
		f.mu.Unlock()
		if p != nil || !left {
			return p
		}
		select {
		case <-f.wantWake:
		case <-ctx.Done():
			return nil
		}
	}
}

// wantedLocked takes a part for an offset a reader waits for: the part
// holding it if nobody fetches it and the offset is near its start, else
// the part split off at the offset. It returns nil if there is none.
func (f *fill) wantedLocked() *part {
	for off := range f.wants {
		i, ok := f.j.find(off)
		if !ok {
			continue
		}
		p := f.j.Parts[i]
		switch {
		case off-p.Done >= splitMin && len(f.j.Parts) < 2*maxParts:
			q := &part{Start: off, End: p.End, Done: off, taken: true}
			p.End = off
			f.j.Parts = slices.Insert(f.j.Parts, i+1, q)
			return q
		case !p.taken && p.Done <= off:
			p.taken = true
			return p
		}
	}
	return nil
}
