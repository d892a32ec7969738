package download_test

import (
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/hfhub"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/internal/retry"
)

// fastRetry keeps fault tests quick; Retry-After from the server still
// applies (capped).
var fastRetry = retry.Policy{Attempts: 5, Base: time.Millisecond, Max: 5 * time.Millisecond, MaxRetryAfter: 1500 * time.Millisecond}

// newClient returns a Hub client for sim, signed in as user unless "".
func newClient(t *testing.T, sim *hubsim.Server, user string) *hfhub.Client {
	t.Helper()
	c := &hfhub.Client{Endpoint: sim.URL(), Retry: fastRetry}
	if user != "" {
		tok, err := sim.MintToken(user, "read")
		if err != nil {
			t.Fatal(err)
		}
		c.Token = func(context.Context) (string, error) { return tok, nil }
	}
	return c
}

// newDownloader returns a Downloader on sim with a fresh cache and parts
// small enough that the tiny files go in parallel.
func newDownloader(t *testing.T, sim *hubsim.Server) *download.Downloader {
	t.Helper()
	return &download.Downloader{
		Hub:         newClient(t, sim, ""),
		Cache:       hfcache.Cache{Dir: t.TempDir()},
		Conns:       4,
		MinPartSize: 256 << 10,
		MaxPartSize: 1 << 20,
		ParallelMin: 512 << 10,
		Retry:       fastRetry,
		LockPoll:    10 * time.Millisecond,
	}
}

// recorder keeps every event and checks their order per file.
type recorder struct {
	mu     sync.Mutex
	events []download.Event
}

func (r *recorder) Report(e download.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// kinds returns the kinds of one file's events, in order.
func (r *recorder) kinds(path string) []download.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []download.EventKind
	for _, e := range r.events {
		if e.Path == path {
			out = append(out, e.Kind)
		}
	}
	return out
}

// checkLifecycle fails unless path got exactly one FileStart first and
// exactly one final event of kind last.
func (r *recorder) checkLifecycle(t *testing.T, path string, last download.EventKind) {
	t.Helper()
	k := r.kinds(path)
	if len(k) < 2 || k[0] != download.FileStart || k[len(k)-1] != last {
		t.Fatalf("events of %s = %v, want start ... %s", path, k, last)
	}
	finals := 0
	for _, kind := range k {
		if kind == download.FileDone || kind == download.FileError || kind == download.FileStart {
			finals++
		}
	}
	if finals != 2 {
		t.Fatalf("events of %s = %v, want one start and one done/error", path, k)
	}
}

func (r *recorder) has(path string, kind download.EventKind) bool {
	return slices.Contains(r.kinds(path), kind)
}

// retries returns path's FileRetry events.
func (r *recorder) retries(path string) []download.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []download.Event
	for _, e := range r.events {
		if e.Path == path && e.Kind == download.FileRetry {
			out = append(out, e)
		}
	}
	return out
}

// stat returns what the Hub says about a file.
func stat(t *testing.T, sim *hubsim.Server, repo, rev, file string) hubsim.FileInfo {
	t.Helper()
	fi, err := sim.Catalog().Stat(repo, rev, file)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// verifyRepo fails unless every blob of repo in the cache hashes to its
// name and nothing partial is left.
func verifyRepo(t *testing.T, c hfcache.Cache, repo hfgate.RepoID) {
	t.Helper()
	r, err := c.Repo(hfgate.RepoTypeModel, repo)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := r.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("cache problem: %s %s: %s", p.Kind, p.Path, p.Message)
	}
}

// noBlob fails if the blob of etag exists.
func noBlob(t *testing.T, c hfcache.Cache, repo hfgate.RepoID, etag string) {
	t.Helper()
	r, _ := c.Repo(hfgate.RepoTypeModel, repo)
	p, _ := r.BlobPath(etag)
	if _, err := os.Stat(p); err == nil {
		t.Fatalf("blob %s was published", etag)
	}
}
