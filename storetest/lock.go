package storetest

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// shortWait bounds a LockCredential that must not get the lock: it has to
// give up with the deadline, however slow the machine, while the lock is
// held. (No test here asserts how fast anything happens.)
const shortWait = 50 * time.Millisecond

// longWait bounds a LockCredential that must get the lock, so that a broken
// store fails the test instead of hanging it.
const longWait = 30 * time.Second

func mustLock(t *testing.T, s hfgate.CredentialStore, endpoint, subject string) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), longWait)
	defer cancel()
	unlock, err := s.LockCredential(ctx, endpoint, subject)
	if err != nil {
		t.Fatalf("LockCredential(%s, %s): %v", endpoint, subject, err)
	}
	return unlock
}

// testLockExcludes: while one holder has the lock nobody else gets it; the
// holders of a contended lock are one at a time; unlock twice is harmless.
func testLockExcludes(t *testing.T, s hfgate.CredentialStore) {
	unlock := mustLock(t, s, hubA, alice)
	ctx, cancel := context.WithTimeout(t.Context(), shortWait)
	second, err := s.LockCredential(ctx, hubA, alice)
	cancel()
	if err == nil {
		second()
		t.Fatal("a second LockCredential got the lock while it was held")
	}
	wantCode(t, "LockCredential past its deadline", err, hfgate.EUNAVAILABLE)
	unlock()
	unlock()
	mustLock(t, s, hubA+"/", alice)()

	var (
		mu      sync.Mutex
		inside  int
		overlap bool
		wg      sync.WaitGroup
	)
	for range 6 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), longWait)
			defer cancel()
			unlock, err := s.LockCredential(ctx, hubA, alice)
			if err != nil {
				t.Errorf("LockCredential: %v", err)
				return
			}
			defer unlock()
			mu.Lock()
			inside++
			overlap = overlap || inside > 1
			mu.Unlock()
			runtime.Gosched()
			mu.Lock()
			inside--
			mu.Unlock()
		})
	}
	wg.Wait()
	if overlap {
		t.Error("two holders had the lock at once")
	}
}

// testLockKeysApart: the locks of other subjects and endpoints are free
// while one is held.
func testLockKeysApart(t *testing.T, s hfgate.CredentialStore) {
	unlock := mustLock(t, s, hubA, alice)
	defer unlock()
	mustLock(t, s, hubA, bob)()
	mustLock(t, s, hubB, alice)()
	mustLock(t, s, hubA, hfgate.LocalSubject)()
}

// testLockCanceled: a wait ended by cancellation is ECANCELED.
func testLockCanceled(t *testing.T, s hfgate.CredentialStore) {
	unlock := mustLock(t, s, hubA, alice)
	defer unlock()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		u, err := s.LockCredential(ctx, hubA, alice)
		if u != nil {
			u()
		}
		done <- err
	}()
	cancel()
	wantCode(t, "LockCredential canceled while waiting", <-done, hfgate.ECANCELED)
}
