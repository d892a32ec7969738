package identity

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hfgate/hfgate"
)

// Defaults for the zero values of Checker.
const (
	// DefaultTTL is how long a checked token or session is trusted without
	// asking the store again, when no revocation says otherwise.
	DefaultTTL = 30 * time.Second

	// DefaultMaxEntries bounds the cache: beyond it, entries are dropped
	// (and looked up again when they come back).
	DefaultMaxEntries = 100_000

	// touchEvery is how stale a recorded use may get.
	touchEvery = time.Minute
)

// Checker checks gateway tokens and sessions. Tokens, Sessions and
// Accounts are required; other zero values are documented. Set the fields
// before first use and do not change them afterwards. A Checker is safe for
// concurrent use; Close stops its background work.
type Checker struct {
	Tokens   hfgate.TokenStore
	Sessions hfgate.SessionStore

	// Accounts gives the principal of a token's or session's owner. A
	// session whose owner has no account (the local web app's) keeps the
	// principal it was made with.
	Accounts hfgate.AccountStore

	// TTL: see DefaultTTL. MaxEntries: see DefaultMaxEntries.
	TTL        time.Duration
	MaxEntries int

	// Now is the clock. If nil, time.Now.
	Now func() time.Time

	// Logger receives failures to record a use. If nil, nothing is logged.
	Logger *slog.Logger

	mu      sync.RWMutex
	entries map[string]*entry // "t"+token hash or "s"+session ID

	// epoch counts revocations seen: a lookup caches its answer only if no
	// revocation arrived while it ran.
	epoch atomic.Uint64

	hits, misses atomic.Uint64

	once    sync.Once
	touches chan touch
	stop    chan struct{}
	done    sync.WaitGroup
}

// entry is a checked token or session.
type entry struct {
	principal *hfgate.Principal // shared: never changed once cached
	tokenID   string
	familyID  string
	sessionID string
	subject   string
	expires   time.Time    // trusted until then
	touched   atomic.Int64 // unix nanoseconds of the last recorded use
}

// touch is a use to record in the store.
type touch struct {
	tokenID, sessionID string
	at                 time.Time
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Checker) init() {
	c.once.Do(func() {
		c.entries = map[string]*entry{}
		c.touches = make(chan touch, 1024)
		c.stop = make(chan struct{})
		c.done.Go(c.recordUses)
	})
}

// Close stops the Checker's background work. Uses not yet recorded are
// dropped.
func (c *Checker) Close() {
	c.init()
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.done.Wait()
}

// Stats returns how many checks the cache answered, and how many went to
// the store.
func (c *Checker) Stats() (hits, misses uint64) { return c.hits.Load(), c.misses.Load() }

// Watch subscribes the Checker to n's revocations until stop is called.
func (c *Checker) Watch(n hfgate.RevocationNotifier) (stop func()) {
	c.init()
	return n.OnRevocation(c.Forget)
}

// Forget drops every cached entry r names (all of them for r.All).
func (c *Checker) Forget(r hfgate.Revocation) {
	c.init()
	c.epoch.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.All {
		clear(c.entries)
		return
	}
	for k, e := range c.entries {
		if r.Matches(e.tokenID, e.familyID, e.sessionID, e.subject) {
			delete(c.entries, k)
		}
	}
}

// lookup returns the live cached entry under key, or nil.
func (c *Checker) lookup(key string, now time.Time) *entry {
	c.mu.RLock()
	e := c.entries[key]
	c.mu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return e
}

// remember caches e under key, unless a revocation arrived since epoch.
func (c *Checker) remember(key string, e *entry, epoch uint64) {
	ttl := c.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if limit := c.now().Add(ttl); limit.Before(e.expires) {
		e.expires = limit
	}
	max := c.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch.Load() != epoch {
		return
	}
	if len(c.entries) >= max {
		c.evict(max)
	}
	c.entries[key] = e
}

// evict makes room: expired entries go, then arbitrary ones (map order)
// until a tenth of max is free. The caller holds mu.
func (c *Checker) evict(max int) {
	now := c.now()
	for k, e := range c.entries {
		if !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) < max-max/10 {
			break
		}
		delete(c.entries, k)
	}
}

// used records a use of e at now, in the background, at most once per
// touchEvery.
func (c *Checker) used(e *entry, now time.Time) {
	last := e.touched.Load()
	if now.UnixNano()-last < int64(touchEvery) || !e.touched.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	select {
	case c.touches <- touch{tokenID: e.tokenID, sessionID: e.sessionID, at: now}:
	default: // the recorder is behind: this use goes unrecorded
	}
}

// recordUses writes uses to the store until Close.
func (c *Checker) recordUses() {
	for {
		select {
		case <-c.stop:
			return
		case t := <-c.touches:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var err error
			if t.tokenID != "" {
				err = c.Tokens.TouchToken(ctx, t.tokenID, t.at)
			} else {
				err = c.Sessions.TouchSession(ctx, t.sessionID, t.at)
			}
			cancel()
			if err != nil && hfgate.ErrorCode(err) != hfgate.ENOTFOUND && c.Logger != nil {
				c.Logger.Warn("cannot record a use", "token_id", t.tokenID, "err", err)
			}
		}
	}
}
