package sqlstore

import (
	"context"
	"sync"

	"github.com/hfgate/hfgate"
)

// keyedLocks are locks by name within one process, for dialects whose
// LockKey is nil.
type keyedLocks struct {
	mu    sync.Mutex
	slots map[string]chan struct{} // full while the lock is held
}

func (l *keyedLocks) lock(ctx context.Context, key string) (func(), error) {
	l.mu.Lock()
	if l.slots == nil {
		l.slots = map[string]chan struct{}{}
	}
	slot := l.slots[key]
	if slot == nil {
		slot = make(chan struct{}, 1)
		l.slots[key] = slot
	}
	l.mu.Unlock()
	select {
	case slot <- struct{}{}:
		var once sync.Once
		return func() { once.Do(func() { <-slot }) }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockKey takes the lock named key: the dialect's, across processes, or
// this process's own.
func (s *Store) lockKey(ctx context.Context, key, what string) (func(), error) {
	var (
		unlock func()
		err    error
	)
	if s.d.LockKey != nil {
		unlock, err = s.d.LockKey(ctx, s.db, key)
	} else {
		unlock, err = s.locks.lock(ctx, key)
	}
	if err != nil {
		if ctx.Err() == context.Canceled {
			return nil, hfgate.WrapError(hfgate.ECANCELED, err, "canceled while waiting %s", what)
		}
		if ctx.Err() != nil {
			return nil, hfgate.WrapError(hfgate.EUNAVAILABLE, err, "timed out waiting %s", what)
		}
		return nil, s.fail(ctx, err, what)
	}
	return unlock, nil
}
