package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// journal records how far each part of a parallel download got, beside the
// .incomplete file it describes, so that a killed download resumes with
// every finished byte kept. Bytes past a part's Done are unknown.
//
// It is saved by writing a temporary file and renaming it over the old one,
// without fsync: a killed process leaves both the journal and the data in
// the page cache, which survives it. After a power loss the journal may claim
// bytes the disk never got; the hash check before publishing catches that
// and the next run starts over. Nothing unverified is ever published.
type journal struct {
	Version int     `json:"version"`
	ETag    string  `json:"etag"`
	Size    int64   `json:"size"`
	Parts   []*part `json:"parts"`
}

// part is one contiguous range [Start, End) of the file, complete up to Done.
type part struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	Done  int64 `json:"done"`
}

const journalVersion = 1

// journalPath is where the journal of an .incomplete file lives.
func journalPath(incomplete string) string { return incomplete + ".parts" }

// newJournal splits [0,size) into parts of partSize bytes, the first
// already done up to have (a contiguous prefix on disk, e.g. left by a
// sequential download).
func newJournal(etag string, size, partSize, have int64) *journal {
	j := &journal{Version: journalVersion, ETag: etag, Size: size}
	for start := int64(0); start < size; start += partSize {
		p := &part{Start: start, End: min(start+partSize, size)}
		p.Done = min(max(have, p.Start), p.End)
		j.Parts = append(j.Parts, p)
	}
	return j
}

// loadJournal reads the journal of an .incomplete file of the given etag and
// size. It returns nil, with no error, when there is none or it does not
// describe this download (another etag or size, or damaged): the caller
// then starts over.
func loadJournal(path, etag string, size int64) (*journal, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read download journal: %w", err)
	}
	var j journal
	if json.Unmarshal(b, &j) != nil || !j.valid(etag, size) {
		return nil, nil
	}
	return &j, nil
}

// valid checks that the parts tile [0,Size) in order with Done in range.
func (j *journal) valid(etag string, size int64) bool {
	if j.Version != journalVersion || j.ETag != etag || j.Size != size || len(j.Parts) == 0 {
		return false
	}
	next := int64(0)
	for _, p := range j.Parts {
		if p == nil || p.Start != next || p.End <= p.Start || p.Done < p.Start || p.Done > p.End {
			return false
		}
		next = p.End
	}
	return next == size
}

// done returns the number of bytes recorded as on disk.
func (j *journal) done() int64 {
	var n int64
	for _, p := range j.Parts {
		n += p.Done - p.Start
	}
	return n
}

// save writes a snapshot of the journal atomically (see journal).
func (j *journal) save(path string) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save download journal: %w", err)
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save download journal: %w", err)
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

// pending returns the parts that still have bytes to fetch.
func (j *journal) pending() []*part {
	return slices.DeleteFunc(slices.Clone(j.Parts), func(p *part) bool { return p.Done >= p.End })
}
