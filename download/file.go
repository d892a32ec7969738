package download

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hfcache"
	"github.com/hfgate/hfgate/internal/safefile"
)

// file puts one planned file in place and reports its events.
func (d *Downloader) file(ctx context.Context, p *plan, f *planned, pr *fileReporter) (*Result, error) {
	res, err := d.fileResult(ctx, p, f, pr)
	if err != nil {
		err = userError(ctx, f.path, err)
		if !pr.startedOnce() {
			pr.start(f.size)
		}
		pr.fail(err)
		return nil, err
	}
	pr.done(res)
	return res, nil
}

func (d *Downloader) fileResult(ctx context.Context, p *plan, f *planned, pr *fileReporter) (*Result, error) {
	if f.err != nil {
		return nil, f.err
	}
	if err := hfgate.ValidateRepoPath(f.path); err != nil {
		return nil, err // a server listing "../x" gets nowhere
	}
	if d.Offline {
		pr.start(0)
		return p.target.lookup(p.req.Revision, f.path)
	}
	if f.etag == "" && f.meta == nil {
		meta, err := d.Hub.FileMetadata(ctx, p.req.Repo, p.commit, f.path)
		if _, missing := entryNotFoundCommit(err); missing {
			return nil, p.missing(f.path, err)
		}
		if err != nil {
			return nil, err
		}
		f.meta = meta
	}
	if f.meta != nil {
		f.etag, f.size = f.meta.ETag, f.meta.Size
	}
	if f.size < 0 || f.size > hfgate.MaxFileSize {
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "the server gave %s an implausible size (%d bytes): refusing it", f.path, f.size)
	}
	pr.start(f.size)
	if _, ok := hfcache.ContentHash(f.etag, f.size); !ok && !d.AllowUnverified {
		return nil, hfgate.Errorf(hfgate.EINTEGRITY,
			"%s cannot be verified: the server named its content %q, which is neither a SHA-256 nor a git blob id, so a corrupted or altered download would go unnoticed; it was not downloaded", f.path, f.etag).
			WithAction(hfgate.ActionAllowUnverified)
	}
	res := &Result{File: f.path, Size: f.size, Commit: p.commit, ETag: f.etag, Cached: true}
	if path, ok, err := p.target.have(ctx, p.commit, f.path, f.etag, f.size); err != nil || ok {
		if ok {
			d.sweep(p, f)
		}
		res.Path = path
		return res, err
	}

	lockPath, err := p.target.lockPath(f.path, f.etag)
	if err != nil {
		return nil, err
	}
	unlock, err := d.lock(ctx, lockPath, pr)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have finished it while we waited.
	if path, ok, err := p.target.have(ctx, p.commit, f.path, f.etag, f.size); err != nil || ok {
		res.Path = path
		return res, err
	}

	incomplete, err := p.target.incompletePath(f.path, f.etag)
	if err != nil {
		return nil, err
	}
	if err := d.fetch(ctx, p, f, incomplete, pr).run(ctx); err != nil {
		return nil, err
	}
	res.Cached = false
	res.Path, err = p.target.publish(p.commit, f.path, f.etag, incomplete)
	return res, err
}

// fetch prepares the transfer engine for one file.
func (d *Downloader) fetch(ctx context.Context, p *plan, f *planned, incomplete string, pr *fileReporter) *fetch {
	src := &urlSource{d: d, p: p, file: f.path}
	if f.meta != nil {
		src.loc = f.meta.Location
	}
	return &fetch{
		get:         d.Hub,
		url:         src.get,
		etag:        f.etag,
		size:        f.size,
		files:       newPartialFiles(incomplete),
		conns:       d.conns,
		chunk:       d.partSize(f.size),
		parallelMin: positive(d.ParallelMin, DefaultParallelMin),
		probe:       probeTime,
		worth:       helperWorth,
		bufSize:     bufSize,
		idle:        positive(d.ReadTimeout, DefaultReadTimeout),
		retry:       d.Retry,
		now:         time.Now,
		onProg:      pr.progress,
		onRetry:     pr.retry,
	}
}

// urlSource gives the engine the file's download URL: the signed CDN URL
// the resolve redirect names, asked again when it may have expired.
type urlSource struct {
	d    *Downloader
	p    *plan
	file string

	mu  sync.Mutex
	loc string
}

func (s *urlSource) get(ctx context.Context, refresh bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loc != "" && !refresh {
		return s.loc, nil
	}
	meta, err := s.d.Hub.FileMetadata(ctx, s.p.req.Repo, s.p.commit, s.file)
	if err != nil {
		return "", err
	}
	s.loc = meta.Location
	return s.loc, nil
}

// lock takes the cross-process lock of a blob, reporting FileWaiting when
// another process holds it. The returned function releases it.
func (d *Downloader) lock(ctx context.Context, path string, pr *fileReporter) (func(), error) {
	// The lock file is opened without following a planted link, and never
	// blocks on a planted FIFO; what it is is checked once locked.
	lk := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDONLY|safefile.NoFollow))
	ok, err := lk.TryLock()
	if err == nil && !ok {
		pr.waiting()
		ok, err = lk.TryLockContext(ctx, positive(d.LockPoll, DefaultLockPoll))
	}
	if err == nil && ok {
		var fi os.FileInfo
		if fi, err = lk.Stat(); err == nil {
			err = safefile.Check(path, fi)
		}
		if err != nil {
			lk.Unlock()
		}
	}
	if err != nil || !ok {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) || errors.Is(err, safefile.ErrUnsafe) {
			return nil, fileError(path, fmt.Errorf("%w: %w", err, safefile.ErrUnsafe))
		}
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot lock %s", path)
	}
	return func() { lk.Unlock() }, nil
}

// sweep removes what a parallel download of a file left beside it when the
// file was then finished another way (huggingface_hub resumed its prefix,
// say), if no other process is at it.
func (d *Downloader) sweep(p *plan, f *planned) {
	incomplete, err := p.target.incompletePath(f.path, f.etag)
	if err != nil {
		return
	}
	files := newPartialFiles(incomplete)
	if !exists(files.parts) && !exists(files.journal) && !exists(files.legacy) {
		return
	}
	lockPath, err := p.target.lockPath(f.path, f.etag)
	if err != nil {
		return
	}
	lk := flock.New(lockPath, flock.SetFlag(os.O_CREATE|os.O_RDONLY|safefile.NoFollow))
	if ok, err := lk.TryLock(); err == nil && ok {
		files.removeSidecars()
		lk.Unlock()
	}
}

// userError makes sure a failure carries a user-safe message and code.
func userError(ctx context.Context, file string, err error) error {
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return canceled(ctx.Err())
	}
	var he *hfgate.Error
	if errors.As(err, &he) {
		return err
	}
	if errors.Is(err, os.ErrPermission) {
		return hfgate.WrapError(hfgate.EINTERNAL, err, "cannot write %s: permission denied", file).WithAction(hfgate.ActionChooseFolder)
	}
	return hfgate.WrapError(hfgate.EINTERNAL, err, "download %s failed: %v", file, err)
}
