package download

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/internal/retry"
)

// Defaults of a Downloader.
const (
	// DefaultConns is how many connections a Downloader opens at once, over
	// all files and parts. DefaultFiles is how many files a Download
	// fetches at once. Measured against hubsim with 30 ms per request
	// (bench scenario 3, 50 files of 1 MiB): 16 and 16 took 0.40-0.49 s,
	// 8 and 8 took 0.58-1.0 s, 8 connections for 16 files 0.5-1.5 s.
	// Memory is a 256 KiB buffer per connection.
	DefaultConns = 16
	DefaultFiles = 16
	// DefaultMinPartSize and DefaultMaxPartSize bound the size of one
	// parallel part: a file is cut into about four parts per connection,
	// clamped to these sizes.
	DefaultMinPartSize = 8 << 20
	DefaultMaxPartSize = 64 << 20
	// DefaultParallelMin is the smallest file fetched in parallel parts;
	// smaller files stream over one connection, as huggingface_hub does.
	DefaultParallelMin = 2 * DefaultMinPartSize
	// DefaultLockPoll is how often a download waiting for another process
	// to finish the same blob checks its lock.
	DefaultLockPoll = 100 * time.Millisecond
	// DefaultReadTimeout is how long a connection may deliver under 1 KiB
	// before it is cut and retried: huggingface_hub's default
	// HF_HUB_DOWNLOAD_TIMEOUT.
	DefaultReadTimeout = 10 * time.Second
)

// bufSize is the read buffer of one connection.
const bufSize = 256 << 10

// Downloader fetches files of Hub repositories into the Hugging Face cache
// (or a plain folder), in parallel, resumable and verified. Set the fields
// before the first Download and do not change them afterwards. A
// Downloader is safe for concurrent use: every Download running on it shares
// one pool of Conns connections.
type Downloader struct {
	// Hub answers metadata requests and ranged GETs. Required.
	Hub hfgate.Hub

	// Cache is the hub cache files go into. Required unless every Request
	// has a LocalDir.
	Cache hfcache.Cache

	// Offline serves files from the cache only (HF_HUB_OFFLINE), with no
	// network call at all; a file not cached is an ENOTFOUND error.
	Offline bool

	// Conns is the number of concurrent connections over all files; 0
	// means DefaultConns. Files is the number of files fetched at once by
	// one Download; 0 means DefaultFiles.
	Conns int
	Files int

	// A file streams over one connection, in order. When that connection
	// proves slow for the file (the rest would take more than a couple of
	// seconds at its speed), helper connections fetch ranges further on,
	// up to Conns in all. MinPartSize and MaxPartSize clamp the smallest
	// range a helper takes on, which is otherwise the file size /
	// (4 × Conns); 0 means the Default. Files under ParallelMin (0:
	// DefaultParallelMin) always use one connection.
	MinPartSize, MaxPartSize int64
	ParallelMin              int64

	// ReadTimeout cuts a connection that delivers under 1 KiB in that
	// long, waiting for the answer included: a stalled or trickling server
	// is retried like any network failure instead of hanging the download.
	// 0 means DefaultReadTimeout.
	ReadTimeout time.Duration

	// AllowUnverified downloads files whose ETag names no content hash
	// (neither a SHA-256 nor a git blob id), checking only their size. By
	// default such a file is refused with EINTEGRITY before any byte is
	// fetched. The expected hash comes from the endpoint's own metadata, so
	// verification catches corruption in transit or on a CDN, not an
	// endpoint that lies.
	AllowUnverified bool

	// Retry paces retries of failed transfers; the zero value uses the
	// retry package's defaults.
	Retry retry.Policy

	// LockPoll is how often a waiting download retries the blob lock; 0
	// means DefaultLockPoll.
	LockPoll time.Duration

	once  sync.Once
	conns chan struct{}
}

// Request says what to download.
type Request struct {
	Repo     hfgate.RepoID
	Revision string // branch, tag or commit; "" means main

	// Files are repository paths to fetch. When empty, the whole snapshot
	// is fetched, filtered by Include and Exclude.
	Files []string

	// Include and Exclude are fnmatch-style patterns, as huggingface_hub's
	// allow_patterns and ignore_patterns: '*' matches any run of characters
	// including '/', '?' one character, [abc] and [!abc] a set, and a
	// pattern ending in '/' matches everything below that folder. With
	// Include, a path must match one of them; a path matching any Exclude is
	// left out. They apply only when Files is empty.
	Include, Exclude []string

	// LocalDir, if set, receives plain files instead of the cache, as
	// `hf download --local-dir` writes them (see hfcache.LocalDir).
	LocalDir string
}

// Result is one file in place.
type Result struct {
	File   string // path in the repository
	Path   string // local path: the snapshot link in the cache, or the file in LocalDir
	Size   int64
	Commit string // the commit the revision resolved to
	ETag   string // SHA-256 (LFS) or git blob id, naming the blob
	Cached bool   // nothing was fetched: it was already there
}

func (d *Downloader) init() {
	d.once.Do(func() {
		d.conns = make(chan struct{}, positive(d.Conns, DefaultConns))
	})
}

func positive[T int | int64 | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// partSize is clamp(size/(4×Conns), MinPartSize, MaxPartSize).
func (d *Downloader) partSize(size int64) int64 {
	lo := positive(d.MinPartSize, DefaultMinPartSize)
	hi := max(positive(d.MaxPartSize, DefaultMaxPartSize), lo)
	return min(max(size/int64(4*cap(d.conns)), lo), hi)
}

// Download fetches the files of req and returns where they are, in the
// order of req.Files (or sorted by path for a snapshot).
//
// The revision is resolved to a commit once, and every file is fetched at
// that commit; in the cache, refs/<revision> records it. A file already in
// the cache (or, with LocalDir, already up to date) is not fetched again
// and costs no transfer. Each blob is written by one process at a time,
// under the cache's file lock; a Download that finds another process
// fetching the same blob reports FileWaiting and then uses its result.
// Partial downloads stay in <etag>.incomplete and resume on the next run;
// only verified content is ever published.
//
// rep, if not nil, receives events: every file gets FileStart and then
// FileDone or FileError. The results hold the files that succeeded. If any
// failed, the error is that of the first failure (its *hfgate.Error code and
// message), naming how many failed when more than one did. A repository,
// revision or access error that stops everything is returned before any
// file event.
func (d *Downloader) Download(ctx context.Context, req Request, rep Reporter) ([]Result, error) {
	d.init()
	if rep == nil {
		rep = nopReporter{}
	}
	if _, err := hfgate.ParseRepoID(string(req.Repo)); err != nil {
		return nil, err
	}
	if req.Revision == "" {
		req.Revision = hfgate.DefaultRevision
	}
	if err := hfgate.ValidateRevision(req.Revision); err != nil {
		return nil, err
	}
	if d.Hub == nil && !d.Offline {
		return nil, hfgate.Errorf(hfgate.EINVALID, "download: no Hub to download from")
	}
	t, err := d.newTarget(req)
	if err != nil {
		return nil, err
	}
	p, err := d.plan(ctx, req, t)
	if err != nil {
		return nil, err
	}
	return d.run(ctx, p, rep)
}

// run fetches the planned files, Files at a time.
func (d *Downloader) run(ctx context.Context, p *plan, rep Reporter) ([]Result, error) {
	results := make([]*Result, len(p.files))
	errs := make([]error, len(p.files))
	sem := make(chan struct{}, positive(d.Files, DefaultFiles))
	var wg sync.WaitGroup
	for i := range p.files {
		wg.Go(func() {
			f := &p.files[i]
			pr := newFileReporter(rep, f.path)
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				pr.start(f.size)
				errs[i] = canceled(ctx.Err())
				pr.fail(errs[i])
				return
			}
			results[i], errs[i] = d.file(ctx, p, f, pr)
		})
	}
	wg.Wait()
	var out []Result
	for _, r := range results {
		if r != nil {
			out = append(out, *r)
		}
	}
	return out, firstError(errs)
}

// firstError returns the first non-nil error, saying how many failed when
// several did.
func firstError(errs []error) error {
	failed := slices.DeleteFunc(slices.Clone(errs), func(e error) bool { return e == nil })
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return failed[0]
	}
	first := failed[0]
	if errors.Is(first, context.Canceled) {
		return first
	}
	return hfgate.WrapError(hfgate.ErrorCode(first), first, "%d of %d files failed; the first: %s",
		len(failed), len(errs), hfgate.ErrorMessage(first)).WithAction(hfgate.ErrorAction(first))
}

// canceled turns a context error into ECANCELED, keeping errors.Is working.
func canceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return hfgate.WrapError(hfgate.ECANCELED, err, "download interrupted: finished bytes are kept").WithAction(hfgate.ActionResume)
	}
	return err
}
