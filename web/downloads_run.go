package web

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// speedWindow is the least time between two speed samples; shorter
// intervals make a jumpy number.
const speedWindow = 500 * time.Millisecond

// run starts t in the background; the caller holds d.mu.
func (d *Downloads) run(t *transfer) {
	// The run outlives the request that started it, and sends the
	// credential of the owner, not of whoever asks about it later.
	ctx, cancel := context.WithCancel(hfgate.WithPrincipal(context.Background(), t.owner))
	t.cancel = cancel
	t.run++
	run := t.run
	t.State, t.Error, t.Retrying, t.Speed, t.ETA = StateQueued, "", "", 0, 0
	t.Started, t.Finished, t.lastAt, t.lastDone = d.now(), time.Time{}, time.Time{}, t.Done
	t.sizes, t.dones = map[string]int64{}, map[string]int64{}
	files := t.files()
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer cancel()
		rep := download.ReporterFunc(func(e download.Event) { d.report(t, run, e) })
		path, err := d.Fetch(ctx, hfgate.RepoID(t.Repo), t.Revision, files, rep)
		d.finish(t, run, path, err)
	}()
}

// retryCorrupt is Transfer.Retrying while a file that failed verification
// is fetched again.
const retryCorrupt = "corrupted in transit, downloading it again"

// report applies one progress event of t's run, unless t was canceled or
// restarted since.
func (d *Downloads) report(t *transfer, run int, e download.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if run != t.run || !active(t.State) {
		return
	}
	if e.Size > 0 {
		t.sizes[e.Path] = e.Size
		t.Size = max(t.Size, sum(t.sizes))
	}
	switch e.Kind {
	case download.FileStart, download.FileWaiting, download.FileProgress:
		t.State = StateRunning
		if t.Retrying != retryCorrupt { // that one stays while the file fills again
			t.Retrying = ""
		}
		t.dones[e.Path] = e.Done
		d.progress(t, sum(t.dones))
	case download.FileRetry:
		switch {
		case e.Reason == download.RetryCorrupt:
			t.Retrying = retryCorrupt
		case e.Err != nil:
			t.Retrying = userMessage(e.Err) + " (retrying)"
		default:
			t.Retrying = "connection trouble, retrying"
		}
	case download.FileVerify:
		t.dones[e.Path] = t.sizes[e.Path]
		t.Done, t.Speed, t.ETA = sum(t.dones), 0, 0
		if t.Done >= t.Size {
			t.State = StateVerify
		}
	case download.FileDone:
		t.dones[e.Path] = t.sizes[e.Path]
		t.Done = sum(t.dones)
	}
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// progress updates the byte count, the smoothed speed and the ETA.
func (d *Downloads) progress(t *transfer, done int64) {
	if done < t.Done {
		t.lastDone = done // the download started over
	}
	t.Done = done
	now := d.now()
	if t.lastAt.IsZero() {
		t.lastAt, t.lastDone = now, done
		return
	}
	dt := now.Sub(t.lastAt)
	if dt < speedWindow {
		return
	}
	inst := float64(done-t.lastDone) / dt.Seconds()
	if t.Speed == 0 {
		t.Speed = inst
	} else {
		t.Speed = 0.6*t.Speed + 0.4*inst
	}
	t.lastAt, t.lastDone = now, done
	t.ETA = 0
	if t.Speed > 0 && t.Size > done {
		t.ETA = float64(t.Size-done) / t.Speed
	}
}

// finish records the outcome of t's run, unless t was canceled (Cancel
// said so already) or restarted since.
func (d *Downloads) finish(t *transfer, run int, path string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if run != t.run || !active(t.State) {
		return
	}
	t.Finished, t.Speed, t.ETA, t.Retrying = d.now(), 0, 0, ""
	switch {
	case err != nil && (hfgate.ErrorCode(err) == hfgate.ECANCELED || errors.Is(err, context.Canceled)):
		t.State = StateCanceled
	case err != nil:
		t.State, t.Error = StateFailed, plainError(err)
	default:
		t.State, t.LocalPath, t.Done = StateDone, path, t.Size
		if t.Whole { // the snapshot folder
			t.LocalPath = strings.TrimSuffix(path, string(filepath.Separator)+filepath.FromSlash(t.files()[0]))
		}
	}
}

// plainError is an error in words for the downloads panel: what really
// failed (the innermost cause, such as "the server answered 503"), not a
// summary of the attempts, with the app's advice. The bytes kept are the
// bar's to show, so the numbers never disagree.
func plainError(err error) string {
	if hfgate.ErrorCode(err) == hfgate.EINTERNAL {
		return "the download failed unexpectedly: try again, and see hfgate's log if it keeps failing"
	}
	cause := ""
	for e := err; e != nil; e = errors.Unwrap(e) {
		if he, ok := e.(*hfgate.Error); ok && he.Message != "" && he.Code != hfgate.EINTERNAL {
			cause = he.Message
		}
	}
	if cause == "" || cause == hfgate.ErrorMessage(err) {
		return userMessage(err)
	}
	if advice := words[hfgate.ErrorAction(err)]; advice != "" {
		return cause + "; " + advice
	}
	return cause
}
