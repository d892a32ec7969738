package blobcache

import (
	"container/list"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/internal/safefile"
)

// Cache is a content-addressed blob store on local disk with
// fill-while-streaming, single flight, verification and LRU eviction, plus
// a small metadata cache. Open one with Open; it is safe for concurrent
// use.
type Cache struct {
	cfg   Config
	dir   string
	lock  *flock.Flock
	ctx   context.Context // parent of every fill; canceled by Close
	stop  context.CancelFunc
	conns chan struct{} // upstream connection slots shared by all fills
	meta  *Meta

	mu      sync.Mutex
	entries map[Key]*entry
	lru     *list.List // of *entry, most recently used first
	size    int64      // bytes of every entry
	dirs    map[string]bool
	dirty   bool // the index snapshot is out of date
	closed  bool

	fills sync.WaitGroup // running fills
	bg    sync.WaitGroup // the index saver
	st    counters
}

// entry is one blob the cache holds, complete or partial.
type entry struct {
	key      Key
	size     int64
	name     string // Blob.Name of the first Open that gave one
	complete bool
	filled   int64 // bytes of a stopped partial fill, from its journal
	used     time.Time
	refs     int   // open Readers
	fill     *fill // the running fill, or nil
	idle     *time.Timer
	elem     *list.Element
}

// pinned reports whether the entry must not be evicted.
func (e *entry) pinned() bool { return e.refs > 0 || e.fill != nil }

// errClosed is what readers of unfinished fills and later calls get once
// the cache is closed.
var errClosed = hfgate.Errorf(hfgate.EUNAVAILABLE, "the blob cache is closed").WithAction(hfgate.ActionRetry)

// Open opens the cache in cfg.Dir, creating it if needed, and rebuilds its
// index: from the index snapshot and the names in blobs/ (a blob the
// snapshot does not know is looked at with one stat), and from the
// journals of partial fills in fill/, which the next Open of their blob
// resumes. Temporary files and partial data without a valid journal are
// removed. Open fails if another process has the directory open.
func Open(ctx context.Context, cfg Config) (*Cache, error) {
	if cfg.Dir == "" {
		return nil, hfgate.Errorf(hfgate.EINVALID, "blob cache: no directory given")
	}
	cfg.setDefaults()
	dir, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, hfgate.WrapError(hfgate.EINVALID, err, "blob cache directory %s", cfg.Dir)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot make the blob cache directory %s", dir)
	}
	lk := flock.New(filepath.Join(dir, lockName), flock.SetFlag(os.O_CREATE|os.O_RDWR|safefile.NoFollow))
	switch ok, err := lk.TryLock(); {
	case err != nil:
		return nil, hfgate.WrapError(hfgate.EINTERNAL, err, "cannot lock the blob cache directory %s", dir)
	case !ok:
		return nil, hfgate.Errorf(hfgate.EUNAVAILABLE, "the blob cache directory %s is in use by another process", dir)
	}
	c := &Cache{
		cfg: cfg, dir: dir, lock: lk,
		conns:   make(chan struct{}, cfg.Conns),
		entries: map[Key]*entry{},
		lru:     list.New(),
		dirs:    map[string]bool{},
	}
	if err := c.load(ctx); err != nil {
		lk.Unlock()
		return nil, err
	}
	if c.meta, err = openMeta(filepath.Join(dir, metaDir), cfg.Meta, cfg.Now); err != nil {
		lk.Unlock()
		return nil, err
	}
	c.ctx, c.stop = context.WithCancel(context.Background())
	c.bg.Go(c.saveLoop)
	return c, nil
}

// Close stops every fill (each keeps what it fetched, for the next Open of
// the directory to resume), saves the index and releases the directory.
// Readers of fills that had not finished get an error; readers of complete
// blobs keep reading until they are closed. Close is idempotent.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.fills.Wait()
	c.bg.Wait()
	err := c.saveIndex()
	return errors.Join(err, c.meta.close(), c.lock.Unlock())
}

// Meta returns the metadata cache, kept in the same directory.
func (c *Cache) Meta() *Meta { return c.meta }

// saveLoop saves the index snapshot every IndexInterval while it changed.
func (c *Cache) saveLoop() {
	t := time.NewTicker(c.cfg.IndexInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			if err := c.saveIndex(); err != nil {
				c.cfg.Logger.Warn("blobcache: save index", "err", err)
			}
		}
	}
}

// counters are the running totals of Stats.
type counters struct {
	hits, joins, misses        atomic.Int64
	served, servedHit          atomic.Int64
	upstream                   atomic.Int64
	evictions, evictedBytes    atomic.Int64
	fillsDone, fillsFailed     atomic.Int64
	integrityFailures, retries atomic.Int64
}
