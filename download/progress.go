package download

import "time"

// EventKind says what happened to a file.
type EventKind string

// Event kinds, in the order a file goes through them. Every file gets
// exactly one FileStart and then one of FileDone or FileError.
const (
	FileStart    EventKind = "start"    // about to fetch; Size is known
	FileWaiting  EventKind = "waiting"  // another process is downloading the same blob
	FileProgress EventKind = "progress" // Done bytes are on disk
	FileRetry    EventKind = "retry"    // fetching again: Reason says why, Err what went wrong, Wait how soon
	FileVerify   EventKind = "verify"   // all bytes are here; checking the hash
	FileDone     EventKind = "done"     // verified and in place at LocalPath
	FileError    EventKind = "error"    // failed; Err says why
)

// RetryReason says why a file is fetched again (FileRetry).
type RetryReason string

// Retry reasons.
const (
	// RetryTransient is a network or server error. The next try, after
	// Wait, resumes where this one stopped.
	RetryTransient RetryReason = "transient"
	// RetryCorrupt is a finished file that failed its hash check (a byte
	// corrupted in transit). The file was removed and is fetched again
	// from the start, at once; that happens once per file, and a second
	// mismatch is a FileError.
	RetryCorrupt RetryReason = "corrupt"
)

// Event is one progress report about one file.
type Event struct {
	Kind      EventKind
	Reason    RetryReason   // FileRetry: why
	Path      string        // file path in the repo
	Size      int64         // total bytes, when known
	Done      int64         // bytes on disk so far (resumed bytes included)
	Resumed   int64         // bytes that were already on disk when the fetch started
	Cached    bool          // FileDone: nothing was fetched, the file was already there
	LocalPath string        // FileDone: where the file is
	Wait      time.Duration // FileRetry: how long until the next try
	Err       error         // FileRetry and FileError: what went wrong
}

// Reporter receives progress. Report is called from many goroutines at once
// and must not block for long; progress events are rate-limited per file.
type Reporter interface {
	Report(Event)
}

// ReporterFunc adapts a function to Reporter.
type ReporterFunc func(Event)

// Report calls f(e).
func (f ReporterFunc) Report(e Event) { f(e) }

type nopReporter struct{}

func (nopReporter) Report(Event) {}
