package web

import (
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// FetchFunc downloads files of repo at rev, reporting progress to rep, and
// returns where the first file is. cmd/hfgate wraps a download.Downloader;
// canceling ctx stops it, and calling it again for the same files resumes
// from the bytes already on disk.
type FetchFunc func(ctx context.Context, repo hfgate.RepoID, rev string, files []string, rep download.Reporter) (path string, err error)

// Download states.
const (
	StateQueued      = "queued"
	StateRunning     = "running"
	StateVerify      = "verifying"
	StateDone        = "done"
	StateFailed      = "failed"
	StateCanceled    = "canceled"
	StateInterrupted = "interrupted" // found unfinished in the cache at start
)

// Bounds of the downloads list.
const (
	// MaxDownloads is how many downloads the list keeps; the oldest
	// finished ones go first.
	MaxDownloads = 200
	// MaxActive is how many downloads may run at once.
	MaxActive = 16
)

// Downloads runs and remembers the app's downloads in the background: one
// file, a split model's parts, or a whole repository each. Set Fetch before
// first use; the zero value of every other field is documented. It is safe
// for concurrent use.
type Downloads struct {
	// Fetch does the transfers. Required.
	Fetch FetchFunc

	// Now is the clock for speed and ETA. If nil, time.Now is used.
	Now func() time.Time

	mu     sync.Mutex
	list   []*transfer // oldest first
	nextID int
	wg     sync.WaitGroup
	closed bool
}

// Transfer is the state of one download, as GET /api/downloads reports it.
type Transfer struct {
	ID       string `json:"id"`
	Repo     string `json:"repo"`
	Revision string `json:"revision"`
	// File is the file downloaded, or the first part of a split model, or
	// "" for a whole repository.
	File string `json:"file"`
	// Files are every file of a download of more than one (the parts of a
	// split model, the files of a repository).
	Files     []string  `json:"files,omitempty"`
	Whole     bool      `json:"whole,omitempty"` // the whole repository
	State     string    `json:"state"`
	Size      int64     `json:"size"`          // 0 until known
	Done      int64     `json:"done"`          // bytes on disk
	Speed     float64   `json:"speed"`         // bytes per second, smoothed
	ETA       float64   `json:"eta,omitempty"` // seconds left; 0 unknown
	LocalPath string    `json:"local_path,omitempty"`
	Error     string    `json:"error,omitempty"` // in plain words
	Retrying  string    `json:"retrying,omitempty"`
	Started   time.Time `json:"started,omitzero"`
	Finished  time.Time `json:"finished,omitzero"`
	// Restored marks a download found in the cache when the app started:
	// whoever started it, it belongs to the owner of the cache.
	Restored bool `json:"restored,omitempty"`
	// CID is the IPFS CID of a finished file pinned on a node.
	CID string `json:"cid,omitempty"`
}

// transfer is a Transfer with what it takes to cancel and resume it.
type transfer struct {
	Transfer
	owner    *hfgate.Principal  // who started (or last resumed) it; its run sends their credential
	cancel   context.CancelFunc // of the current run
	run      int                // counts runs, so a stale run's events are dropped
	lastAt   time.Time
	lastDone int64
	sizes    map[string]int64 // per file, as the events tell
	dones    map[string]int64
	etag     string // of an interrupted download whose file is not known yet
}

func (d *Downloads) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Start downloads files of repo at rev ("" for main) in the background for
// the caller p, whose credential the download sends (none for
// hfgate.Anonymous), and returns its state. files are one file, the parts
// of a split model, or every file of the repository with whole set; size
// is their total when known (else 0). created is false when the same
// download by the same owner is running or done with its file still on
// disk: that one is returned instead of starting another.
//
// Every method takes the caller: a download started by a signed-in user is
// visible (List) and controllable (Cancel, Resume) only by that user (the
// same Subject), so that nobody else learns about their private repos;
// anonymous and restored downloads are the owner's whoever signed in.
func (d *Downloads) Start(repo hfgate.RepoID, rev string, files []string, whole bool, size int64, p *hfgate.Principal) (t Transfer, created bool, err error) {
	if len(files) == 0 {
		return Transfer{}, false, hfgate.Errorf(hfgate.EINVALID, "no file to download")
	}
	for _, f := range files {
		if err := hfgate.ValidateRepoPath(f); err != nil {
			return Transfer{}, false, err
		}
	}
	if rev == "" {
		rev = hfgate.DefaultRevision
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return Transfer{}, false, hfgate.Errorf(hfgate.EUNAVAILABLE, "hfgate is shutting down")
	}
	for _, t := range slices.Backward(d.list) {
		if t.Repo == string(repo) && t.Revision == rev && slices.Equal(t.files(), files) && visible(t, p) &&
			(active(t.State) || t.State == StateDone && onDisk(t.LocalPath)) {
			return t.Transfer, false, nil
		}
	}
	if err := d.makeRoom(); err != nil {
		return Transfer{}, false, err
	}
	d.nextID++
	nt := &transfer{Transfer: Transfer{ID: strconv.Itoa(d.nextID), Repo: string(repo), Revision: rev, File: files[0], Whole: whole, Size: size}, owner: p}
	if len(files) > 1 {
		nt.Files = slices.Clone(files)
	}
	if whole {
		nt.File = ""
	}
	d.list = append(d.list, nt)
	d.run(nt)
	return nt.Transfer, true, nil
}

// files returns the files t fetches.
func (t *transfer) files() []string {
	if len(t.Files) > 0 {
		return t.Files
	}
	return []string{t.File}
}

func onDisk(path string) bool {
	_, err := os.Stat(path)
	return path != "" && err == nil
}

// makeRoom keeps the list within MaxDownloads and MaxActive; the caller
// holds d.mu.
func (d *Downloads) makeRoom() error {
	running := 0
	for _, t := range d.list {
		if active(t.State) {
			running++
		}
	}
	if running >= MaxActive {
		return hfgate.Errorf(hfgate.EUNAVAILABLE, "%d downloads are running, the most hfgate runs at once: wait for one to finish", running)
	}
	for len(d.list) >= MaxDownloads {
		i := slices.IndexFunc(d.list, func(t *transfer) bool { return !active(t.State) })
		if i < 0 {
			return hfgate.Errorf(hfgate.EUNAVAILABLE, "too many downloads are running: wait for one to finish")
		}
		d.list = slices.Delete(d.list, i, i+1)
	}
	return nil
}

func active(state string) bool {
	return state == StateQueued || state == StateRunning || state == StateVerify
}

// Get returns download id if the caller may see it.
func (d *Downloads) Get(id string, p *hfgate.Principal) (Transfer, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t := d.find(id, p); t != nil {
		return t.Transfer, true
	}
	return Transfer{}, false
}

// Resume starts a canceled, failed or interrupted download again, with the
// caller's credential; it continues from the bytes already on disk.
func (d *Downloads) Resume(id string, p *hfgate.Principal) (Transfer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := d.find(id, p)
	switch {
	case t == nil:
		return Transfer{}, hfgate.Errorf(hfgate.ENOTFOUND, "there is no download %s", id)
	case d.closed:
		return Transfer{}, hfgate.Errorf(hfgate.EUNAVAILABLE, "hfgate is shutting down")
	case t.State != StateFailed && t.State != StateCanceled && t.State != StateInterrupted:
		return t.Transfer, nil // running or done: nothing to resume
	case t.File == "" && !t.Whole:
		return Transfer{}, hfgate.Errorf(hfgate.ENOTFOUND,
			"the file of this interrupted download is no longer in %s: it cannot be resumed", t.Repo)
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

// visible reports whether caller p may see and control t: an anonymous or
// restored download anyone (the app has one owner), another only its owner.
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
