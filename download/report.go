package download

import (
	"sync"
	"time"
)

// progressEvery is the most often one file reports FileProgress.
const progressEvery = 100 * time.Millisecond

// fileReporter sends the events of one file, with its path set, and
// rate-limits progress. Safe for concurrent use by the parts of a file.
type fileReporter struct {
	rep  Reporter
	path string

	mu       sync.Mutex
	began    bool // FileStart was sent
	size     int64
	resumed  int64
	started  bool // a progress value was seen: the first is what was resumed
	last     time.Time
	lastDone int64
	verified bool
}

func newFileReporter(rep Reporter, path string) *fileReporter {
	return &fileReporter{rep: rep, path: path}
}

func (r *fileReporter) start(size int64) {
	r.mu.Lock()
	r.size, r.began = size, true
	r.mu.Unlock()
	r.rep.Report(Event{Kind: FileStart, Path: r.path, Size: size})
}

func (r *fileReporter) startedOnce() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.began
}

func (r *fileReporter) waiting() {
	r.rep.Report(Event{Kind: FileWaiting, Path: r.path, Size: r.size})
}

// progress reports done bytes on disk, at most every progressEvery, but
// always the last byte and always a restart from fewer bytes. The first
// value of a fetch is what was already on disk.
func (r *fileReporter) progress(done int64) {
	r.mu.Lock()
	if !r.started {
		r.started, r.resumed = true, done
	}
	now := time.Now()
	send := done == r.size || done < r.lastDone || now.Sub(r.last) >= progressEvery
	verify := done == r.size && !r.verified
	if send {
		r.last, r.lastDone = now, done
	}
	if verify {
		r.verified = true
	}
	ev := Event{Kind: FileProgress, Path: r.path, Size: r.size, Done: done, Resumed: r.resumed}
	r.mu.Unlock()
	if send {
		r.rep.Report(ev)
	}
	if verify {
		ev.Kind = FileVerify
		r.rep.Report(ev)
	}
}

func (r *fileReporter) retry(reason RetryReason, err error, wait time.Duration) {
	r.mu.Lock()
	ev := Event{Kind: FileRetry, Reason: reason, Path: r.path, Size: r.size, Done: r.lastDone, Err: err, Wait: wait}
	if reason == RetryCorrupt {
		r.verified = false // the file starts over from nothing
		ev.Done = 0
	}
	r.mu.Unlock()
	r.rep.Report(ev)
}

func (r *fileReporter) done(res *Result) {
	r.mu.Lock()
	ev := Event{Kind: FileDone, Path: r.path, Size: res.Size, Done: res.Size, Resumed: r.resumed, Cached: res.Cached, LocalPath: res.Path}
	r.mu.Unlock()
	r.rep.Report(ev)
}

func (r *fileReporter) fail(err error) {
	r.rep.Report(Event{Kind: FileError, Path: r.path, Size: r.size, Err: err})
}
