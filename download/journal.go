package download

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/hfgate/hfgate/internal/safefile"
)

// journal records, beside the parts file, which bytes of it hold fetched
// content, so that a killed download resumes with every finished byte kept.
// Only bytes in the parts file are its business: the .incomplete file's
// length says how much of the prefix is done, whoever wrote it.
//
// Prefix is the length of the .incomplete file when the journal was saved.
// Bytes of the parts file below it may already have been moved into the
// .incomplete file and punched out, so on resume they count only above
// Prefix (and above the .incomplete file's length).
//
// It is saved by writing a temporary file and renaming it over the old
// one, without fsync: a killed process leaves both the journal and the data
// in the page cache, which survives it. After a power loss the journal may
// claim bytes the disk never got; the hash check before publishing catches
// that and the next run starts over. Nothing unverified is ever published.
type journal struct {
	Version  int        `json:"version"`
	ETag     string     `json:"etag"`
	Size     int64      `json:"size"`
	Prefix   int64      `json:"prefix"`
	Segments []*segment `json:"segments"`
}

// segment is a range [Start, End) of the file that one worker fetches in
// order; [Start, Done) is on disk. Only the segment the head worker streams
// writes to the .incomplete file; the others write to the parts file.
type segment struct {
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	Done  int64 `json:"done"`

	owner   worker // who fetches it now; none between runs
	writing int64  // end of the write in flight (> Done while writing)
}

type worker int

const (
	none worker = iota
	head
	helper
)

const journalVersion = 2

// maxJournal bounds the journal read back: a few segments take a few
// hundred bytes.
const maxJournal = 1 << 20

// loadJournal reads the journal at path if it describes a download of
// this etag and size, else returns nil: none, another file's, or damaged.
// Only a failure to read an existing journal is an error.
func loadJournal(path, etag string, size int64) (*journal, error) {
	b, err := safefile.ReadFile(path, maxJournal)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		if errors.Is(err, safefile.ErrUnsafe) {
			return nil, fileError(path, err)
		}
		return nil, nil // unreadable or too large: start over
	}
	var j journal
	if json.Unmarshal(b, &j) != nil || !j.valid(etag, size) {
		return nil, nil
	}
	return &j, nil
}

// valid checks that the segments are in order, within the file and do not
// overlap, with Done in range.
func (j *journal) valid(etag string, size int64) bool {
	if j.Version != journalVersion || j.ETag != etag || j.Size != size || j.Prefix < 0 || j.Prefix > size {
		return false
	}
	next := int64(0)
	for _, s := range j.Segments {
		if s == nil || s.Start < next || s.End <= s.Start || s.End > size || s.Done < s.Start || s.Done > s.End {
			return false
		}
		next = s.End
	}
	return true
}

// tile returns segments covering [from, size) with what this journal (may
// be nil) says is in the parts file. A segment's bytes count only from
// max(Start, from, Prefix) up to its Done; gaps become empty segments.
func (j *journal) tile(from, size int64) []*segment {
	var out []*segment
	next := from
	add := func(end, done int64) { // a segment from next to end, parts bytes up to done
		if end <= next {
			return
		}
		out = append(out, &segment{Start: next, End: end, Done: min(max(done, next), end)})
		next = end
	}
	if j != nil {
		trusted := max(from, j.Prefix)
		for _, s := range j.Segments {
			add(s.Start, next) // a gap before s
			if s.Done > trusted && next < trusted {
				add(trusted, next) // below Prefix: maybe punched out
			}
			done := s.Done
			if done <= trusted {
				done = next
			}
			add(s.End, done)
		}
	}
	add(size, next)
	return out
}

// save writes the journal atomically (see journal).
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
		err = os.Rename(tmp.Name(), path) // replaces a planted link, never follows it
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save download journal: %w", err)
	}
	return nil
}

// partsBytes is how many bytes the segments hold in the parts file above
// prefix.
func partsBytes(segs []*segment, prefix int64) int64 {
	var n int64
	for _, s := range segs {
		if s.Done > prefix {
			n += s.Done - max(s.Start, prefix)
		}
	}
	return n
}

// snapshot copies the segments for saving.
func snapshot(segs []*segment) []*segment {
	out := make([]*segment, len(segs))
	for i, s := range segs {
		out[i] = &segment{Start: s.Start, End: s.End, Done: s.Done}
	}
	return slices.Clip(out)
}
