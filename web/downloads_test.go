package web_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/web"
)

// fakeFetch is a FetchFunc whose transfers a test steps through: each
// call reports start, then waits on step for each progress amount, then
// finishes, fails or stops when its context is canceled.
type fakeFetch struct {
	mu    sync.Mutex
	calls int
	who   []string   // the Subject of each call's caller
	step  chan int64 // bytes to report next, or -1 for a corrupt retry; close to finish
	fail  error      // returned after step is closed, if set
	size  int64
}

func (f *fakeFetch) fetch(ctx context.Context, repo hfgate.RepoID, rev string, files []string, rep download.Reporter) (string, error) {
	file := files[0]
	f.mu.Lock()
	f.calls++
	f.who = append(f.who, hfgate.PrincipalFrom(ctx).Subject)
	f.mu.Unlock()
	rep.Report(download.Event{Kind: download.FileStart, Path: file, Size: f.size})
	for {
		select {
		case <-ctx.Done():
			return "", hfgate.WrapError(hfgate.ECANCELED, ctx.Err(), "canceled")
		case n, ok := <-f.step:
			if !ok {
				if f.fail != nil {
					return "", f.fail
				}
				rep.Report(download.Event{Kind: download.FileDone, Path: file, Size: f.size, Done: f.size, LocalPath: "/cache/" + file})
				return "/cache/" + file, nil
			}
			if n < 0 {
				rep.Report(download.Event{Kind: download.FileRetry, Reason: download.RetryCorrupt, Path: file, Size: f.size,
					Err: hfgate.Errorf(hfgate.EINTEGRITY, "downloaded data failed verification; downloading the file again")})
				continue
			}
			rep.Report(download.Event{Kind: download.FileProgress, Path: file, Size: f.size, Done: n})
		}
	}
}

// start starts a download of one file, as the page's Download button does.
func start(d *web.Downloads, repo hfgate.RepoID, rev, file string, p *hfgate.Principal) (web.Transfer, error) {
	t, _, err := d.Start(repo, rev, []string{file}, false, 0, p)
	return t, err
}

// Callers of the downloads.
var (
	anon  = hfgate.Anonymous
	alice = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:1", Username: "alice"}
	bob   = &hfgate.Principal{Kind: hfgate.PrincipalUser, Subject: "huggingface:2", Username: "bob"}
)

// waitState polls d, as p, until download id reaches state.
func waitState(t *testing.T, d *web.Downloads, p *hfgate.Principal, id, state string) web.Transfer {
	t.Helper()
	return waitFor(t, d, p, id, state, func(web.Transfer) bool { return true })
}

// waitFor polls d, as p, until download id is in state and ok says so.
func waitFor(t *testing.T, d *web.Downloads, p *hfgate.Principal, id, state string, ok func(web.Transfer) bool) web.Transfer {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, tr := range d.List(p) {
			if tr.ID == id && tr.State == state && ok(tr) {
				return tr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("download %s never reached %s as wanted: %+v", id, state, d.List(p))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestDownloadsProgressCancelResume(t *testing.T) {
	f := &fakeFetch{step: make(chan int64), size: 1000}
	now := time.Unix(1000, 0)
	var clock sync.Mutex
	d := &web.Downloads{Fetch: f.fetch, Now: func() time.Time { clock.Lock(); defer clock.Unlock(); return now }}
	defer d.Close()
	advance := func(dt time.Duration) { clock.Lock(); now = now.Add(dt); clock.Unlock() }

	tr, err := start(d, "org/model", "", "m.gguf", anon)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := start(d, "org/model", "main", "m.gguf", anon); again.ID != tr.ID {
		t.Errorf("starting a running download again made a second one (%s, %s)", tr.ID, again.ID)
	}
	f.step <- 100
	waitFor(t, d, anon, tr.ID, web.StateRunning, func(tr web.Transfer) bool { return tr.Done == 100 })
	advance(time.Second)
	f.step <- 300
	got := waitFor(t, d, anon, tr.ID, web.StateRunning, func(tr web.Transfer) bool { return tr.Done == 300 })
	// 300 bytes in the second since the start; 700 left at that speed.
	if got.Done != 300 || got.Size != 1000 || got.Speed != 300 || math.Abs(got.ETA-7.0/3) > 1e-9 {
		t.Errorf("progress = done %d of %d at %.0f B/s, ETA %.2f s; want 300 of 1000 at 300 B/s, ETA 2.33 s", got.Done, got.Size, got.Speed, got.ETA)
	}

	if got, err := d.Cancel(tr.ID, anon); err != nil || got.State != web.StateCanceled {
		t.Fatalf("Cancel = %+v, %v", got, err)
	}
	if got, err := d.Resume(tr.ID, anon); err != nil || got.State != web.StateQueued {
		t.Fatalf("Resume = %+v, %v", got, err)
	}
	f.step <- 900
	close(f.step)
	got = waitState(t, d, anon, tr.ID, web.StateDone)
	if got.LocalPath != "/cache/m.gguf" || got.Done != 1000 || got.Error != "" {
		t.Errorf("done = %+v", got)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls != 2 {
		t.Errorf("Fetch called %d times, want 2 (start, resume)", f.calls)
	}
	if _, err := d.Cancel("nope", anon); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
		t.Errorf("Cancel(unknown) = %v, want ENOTFOUND", err)
	}
}

func TestDownloadsFailureInPlainWords(t *testing.T) {
	f := &fakeFetch{step: make(chan int64), size: 10,
		fail: hfgate.Errorf(hfgate.EGATED, "access to org/model is not granted: request it on the model page")}
	d := &web.Downloads{Fetch: f.fetch}
	defer d.Close()
	tr, err := start(d, "org/model", "", "m.gguf", alice)
	if err != nil {
		t.Fatal(err)
	}
	close(f.step)
	got := waitState(t, d, alice, tr.ID, web.StateFailed)
	if got.Error != "access to org/model is not granted: request it on the model page" {
		t.Errorf("error = %q", got.Error)
	}
	if _, err := start(d, "org/model", "", "../../etc/passwd", anon); hfgate.ErrorCode(err) != hfgate.EINVALID {
		t.Errorf("Start with a path escaping the repo = %v, want EINVALID", err)
	}
}

// TestDownloadsBelongToTheirOwner: a user's download runs with their
// credential and is seen and controlled by them alone; an anonymous one by
// everyone.
func TestDownloadsBelongToTheirOwner(t *testing.T) {
	f := &fakeFetch{step: make(chan int64), size: 10}
	d := &web.Downloads{Fetch: f.fetch}
	defer d.Close()
	mine, err := start(d, "org/model", "", "m.gguf", alice)
	if err != nil {
		t.Fatal(err)
	}
	public, err := start(d, "org/model", "", "m.gguf", anon)
	if err != nil || public.ID == mine.ID {
		t.Fatalf("an anonymous start of the same file: %+v, %v; want a download of its own", public, err)
	}
	waitState(t, d, alice, mine.ID, web.StateRunning)
	for _, p := range []*hfgate.Principal{anon, bob} {
		if list := d.List(p); len(list) != 1 || list[0].ID != public.ID {
			t.Errorf("%s sees %+v, want only the anonymous download", p.Subject, list)
		}
		for _, act := range []func(string, *hfgate.Principal) (web.Transfer, error){d.Cancel, d.Resume} {
			if _, err := act(mine.ID, p); hfgate.ErrorCode(err) != hfgate.ENOTFOUND {
				t.Errorf("%s may act on alice's download: %v", p.Subject, err)
			}
		}
	}
	if list := d.List(alice); len(list) != 2 {
		t.Errorf("alice sees %d downloads, want hers and the anonymous one", len(list))
	}
	close(f.step)
	waitState(t, d, alice, mine.ID, web.StateDone)
	waitState(t, d, anon, public.ID, web.StateDone)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.who, alice.Subject) || !slices.Contains(f.who, "") {
		t.Errorf("fetches ran as %q, want alice's and an anonymous one", f.who)
	}
}

// TestDownloadsCorruptRetrySaysWhy: a file fetched again after failing
// verification says so while it fills again, and not once it is done.
func TestDownloadsCorruptRetrySaysWhy(t *testing.T) {
	f := &fakeFetch{step: make(chan int64), size: 10}
	d := &web.Downloads{Fetch: f.fetch}
	defer d.Close()
	tr, err := start(d, "org/model", "", "m.gguf", anon)
	if err != nil {
		t.Fatal(err)
	}
	const why = "corrupted in transit, downloading it again"
	f.step <- 10
	f.step <- -1
	f.step <- 4
	waitFor(t, d, anon, tr.ID, web.StateRunning, func(tr web.Transfer) bool { return tr.Done == 4 && tr.Retrying == why })
	close(f.step)
	if got := waitState(t, d, anon, tr.ID, web.StateDone); got.Retrying != "" {
		t.Errorf("done, and still retrying %q", got.Retrying)
	}
}
