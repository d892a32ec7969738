package ipfs

import "github.com/hfgate/hfgate"

// EventKind says what happened to a file being pinned.
type EventKind string

// Event kinds, in the order a file goes through them. Every Pin reports
// one AddDone or one AddError; an AddStart once the file was found in the
// cache; AddProgress only while bytes are sent.
const (
	AddStart    EventKind = "start"    // found in the cache; Size is known
	AddProgress EventKind = "progress" // Done bytes were sent and hashed
	AddDone     EventKind = "done"     // pinned and recorded; CID is known
	AddError    EventKind = "error"    // failed; Err says why, nothing was recorded
)

// Event is one progress report about one file.
type Event struct {
	Kind   EventKind
	Repo   hfgate.RepoID
	File   string // the repository path
	Size   int64
	Done   int64
	CID    string // AddDone
	Cached bool   // AddDone: it was pinned already; nothing was sent
	Err    error  // AddError
}

// Reporter receives progress. Report is called from other goroutines than
// the caller's (one at a time for a Pin) and must not block for long.
type Reporter interface {
	Report(Event)
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(Event)

// Report calls f(e).
func (f ReporterFunc) Report(e Event) { f(e) }

type nopReporter struct{}

func (nopReporter) Report(Event) {}

// progressEvery is how many bytes pass between two AddProgress events.
const progressEvery = 4 << 20

// progressTicker returns the callback for IPFSNode.Add: it reports e with
// Done set every progressEvery bytes, and at the last byte.
func progressTicker(r Reporter, e Event) func(sent int64) {
	var last int64
	return func(sent int64) {
		if sent-last < progressEvery && sent != e.Size {
			return
		}
		last = sent
		e.Done = sent
		r.Report(e)
	}
}
