package web

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// FetchFunc downloads one file of repo at rev, reporting progress to rep,
// and returns where the file is and its size. cmd/hfgate wraps a
// download.Downloader; canceling ctx stops it, and calling it again for the
// same file resumes from the bytes already on disk.
type FetchFunc func(ctx context.Context, repo hfgate.RepoID, rev, file string, rep download.Reporter) (path string, size int64, err error)

// Download states.
const (
	StateQueued   = "queued"
	StateRunning  = "running"
	StateVerify   = "verifying"
	StateDone     = "done"
	StateFailed   = "failed"
	StateCanceled = "canceled"
)

// Downloads runs and remembers the app's downloads, one file each, in the
// background. Set Fetch before first use; the zero value of every other
// field is documented. It is safe for concurrent use.
type Downloads struct {
	// Fetch does the transfers. Required.
	Fetch FetchFunc

	// Now is the clock for speed and ETA. If nil, time.Now is used.
	Now func() time.Time

	mu     sync.Mutex
	list   []*transfer
	nextID int
	wg     sync.WaitGroup
	closed bool
}

// Transfer is the state of one download, as GET /api/downloads reports it.
type Transfer struct {
	ID        string    `json:"id"`
	Repo      string    `json:"repo"`
	Revision  string    `json:"revision"`
	File      string    `json:"file"`
	State     string    `json:"state"`
	Size      int64     `json:"size"`          // 0 until known
	Done      int64     `json:"done"`          // bytes on disk
	Speed     float64   `json:"speed"`         // bytes per second, smoothed
	ETA       float64   `json:"eta,omitempty"` // seconds left; 0 unknown
	LocalPath string    `json:"local_path,omitempty"`
	Error     string    `json:"error,omitempty"` // in plain words
	Retrying  string    `json:"retrying,omitempty"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished,omitzero"`
}

// transfer is a Transfer with what it takes to cancel and resume it.
type transfer struct {
	Transfer
	owner    *hfgate.Principal  // who started (or last resumed) it; its run sends their credential
	cancel   context.CancelFunc // of the current run
	run      int                // counts runs, so a stale run's events are dropped
	lastAt   time.Time
	lastDone int64
}

func (d *Downloads) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Start downloads one file of repo at rev ("" for main) in the background
// for the caller p, whose credential the download sends (none for
// hfgate.Anonymous), and returns its state. A download of the same file by
// the same owner that is still running is returned instead of starting
// another.
//
// Every method takes the caller: a download started by a signed-in user is
// visible (List) and controllable (Cancel, Resume) only by that user (the
// same Subject), so that nobody else learns about their private repos;
// anonymous downloads are everyone's.
func (d *Downloads) Start(repo hfgate.RepoID, rev, file string, p *hfgate.Principal) (Transfer, error) {
	if err := hfgate.ValidateRepoPath(file); err != nil {
		return Transfer{}, err
	}
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return Transfer{}, hfgate.Errorf(hfgate.EUNAVAILABLE, "hfgate is shutting down")
	}
	for _, t := range d.list {
		if t.Repo == string(repo) && t.Revision == rev && t.File == file && sameOwner(t.owner, p) && active(t.State) {
			return t.Transfer, nil
		}
	}
	d.nextID++
	t := &transfer{Transfer: Transfer{ID: strconv.Itoa(d.nextID), Repo: string(repo), Revision: rev, File: file}, owner: p}
	d.list = append(d.list, t)
	d.run(t)
	return t.Transfer, nil
}

func active(state string) bool {
	return state == StateQueued || state == StateRunning || state == StateVerify
}

// Resume starts a canceled or failed download again, with the caller's
// credential; it continues from the bytes already on disk.
func (d *Downloads) Resume(id string, p *hfgate.Principal) (Transfer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(id, p)
	switch {
	case t == nil:
		return Transfer{}, hfgate.Errorf(hfgate.ENOTFOUND, "there is no download %s", id)
	case d.closed:
		return Transfer{}, hfgate.Errorf(hfgate.EUNAVAILABLE, "hfgate is shutting down")
	case t.State != StateFailed && t.State != StateCanceled:
		return t.Transfer, nil // running or done: nothing to resume
	}
	t.owner = p
	d.run(t)
	return t.Transfer, nil
}

// Cancel stops a running download; its bytes stay on disk for Resume.
func (d *Downloads) Cancel(id string, p *hfgate.Principal) (Transfer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(id, p)
	if t == nil {
		return Transfer{}, hfgate.Errorf(hfgate.ENOTFOUND, "there is no download %s", id)
	}
	if active(t.State) {
		t.cancel()
		t.State = StateCanceled
		t.Speed, t.ETA = 0, 0
	}
	return t.Transfer, nil
}

// List returns the downloads the caller may see, newest first.
func (d *Downloads) List(p *hfgate.Principal) []Transfer {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Transfer, 0, len(d.list))
	for _, t := range slices.Backward(d.list) {
		if visible(t, p) {
			out = append(out, t.Transfer)
		}
	}
	return out
}

// Close cancels every running download and waits for them to stop.
func (d *Downloads) Close() {
	d.mu.Lock()
	d.closed = true
	for _, t := range d.list {
		if active(t.State) {
			t.cancel()
		}
	}
	d.mu.Unlock()
	d.wg.Wait()
}

// find returns download id if the caller may see it.
func (d *Downloads) find(id string, p *hfgate.Principal) *transfer {
	for _, t := range d.list {
		if t.ID == id && visible(t, p) {
			return t
		}
	}
	return nil
}

// visible reports whether caller p may see and control t: an anonymous
// download anyone, another only its owner.
func visible(t *transfer, p *hfgate.Principal) bool {
	return t.owner.IsAnonymous() || sameOwner(t.owner, p)
}

// sameOwner reports whether a and b are the same caller: both anonymous,
// or users of one Subject.
func sameOwner(a, b *hfgate.Principal) bool {
	if a.IsAnonymous() || b.IsAnonymous() {
		return a.IsAnonymous() && b.IsAnonymous()
	}
	return a.Subject == b.Subject
}
