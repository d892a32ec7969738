package blobcache

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hfgate/hfgate/internal/safefile"
)

// journal records how far each part of a fill got, beside the fill's data
// file, so that a fill stopped at any point (Close, an idle stop, kill -9)
// resumes with every finished byte kept. Bytes past a part's Done are
// unknown.
//
// It is saved by writing a new file and renaming it over the old one,
// without fsync: a killed process leaves both the journal and the data in
// the page cache, which outlives it. After a power loss the journal may
// claim bytes the disk never got; the hash check before publishing catches
// that and the fill starts over. Nothing unverified is ever published.
type journal struct {
	Version int     `json:"version"`
	Key     Key     `json:"key"`
	Size    int64   `json:"size"`
	Name    string  `json:"name,omitempty"` // Blob.Name, for listings after a restart
	Parts   []*part `json:"parts"`
}

// part is one contiguous range [Start, End) of the blob, complete up to
// Done. taken says a worker is fetching it (not saved).
type part struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	Done  int64 `json:"done"`
	taken bool
}

const journalVersion = 1

// maxJournal bounds what is read of a journal file (a few thousand parts).
const maxJournal = 1 << 20

func journalPath(data string) string { return data + journalExt }

// newJournal splits [0,size) into parts of partSize bytes.
func newJournal(b Blob, partSize int64) *journal {
	j := &journal{Version: journalVersion, Key: b.Key, Size: b.Size, Name: b.name()}
	for start := int64(0); start < b.Size; start += partSize {
		j.Parts = append(j.Parts, &part{Start: start, End: min(start+partSize, b.Size), Done: start})
	}
	return j
}

// loadJournal reads the journal at path. It returns nil, with no error,
// when there is none or it does not describe b (another key or size, or
// damaged): the caller then starts over.
func loadJournal(path string, b Blob) (*journal, error) {
	// None, too large, or a link or something else in the way: start over.
	data, err := safefile.ReadFile(path, maxJournal)
	var j journal
	if err != nil || json.Unmarshal(data, &j) != nil || !j.valid(b) {
		return nil, nil
	}
	return &j, nil
}

// valid checks that the parts tile [0,Size) in order with Done in range.
func (j *journal) valid(b Blob) bool {
	if j.Version != journalVersion || j.Key != b.Key || j.Size != b.Size || len(j.Parts) == 0 && b.Size > 0 {
		return false
	}
	next := int64(0)
	for _, p := range j.Parts {
		if p == nil || p.Start != next || p.End <= p.Start || p.Done < p.Start || p.Done > p.End {
			return false
		}
		next = p.End
	}
	return next == b.Size
}

// done returns the number of bytes recorded as on disk.
func (j *journal) done() int64 {
	var n int64
	for _, p := range j.Parts {
		n += p.Done - p.Start
	}
	return n
}

// save writes the journal atomically (see journal).
func (j *journal) save(path string) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, b, false); err != nil {
		return fmt.Errorf("save fill journal: %w", err)
	}
	return nil
}

// clone returns a deep copy, so a snapshot can be saved while parts move on.
func (j *journal) clone() *journal {
	c := *j
	c.Parts = make([]*part, len(j.Parts))
	for i, p := range j.Parts {
		cp := *p
		c.Parts[i] = &cp
	}
	return &c
}

// contiguous returns how many bytes from offset 0 are done without a gap.
func (j *journal) contiguous() int64 {
	for _, p := range j.Parts {
		if p.Done < p.End {
			return p.Done
		}
	}
	return j.Size
}

// find returns the index of the part holding off, and whether there is one.
func (j *journal) find(off int64) (int, bool) {
	return slices.BinarySearchFunc(j.Parts, off, func(p *part, off int64) int {
		switch {
		case p.End <= off:
			return -1
		case p.Start > off:
			return 1
		}
		return 0
	})
}

// run returns how many bytes from off are done without a gap.
func (j *journal) run(off int64) int64 {
	i, _ := j.find(off)
	end := off
	for ; i < len(j.Parts); i++ {
		p := j.Parts[i]
		if p.Done <= end {
			break
		}
		end = p.Done
		if p.Done < p.End {
			break
		}
	}
	return end - off
}
