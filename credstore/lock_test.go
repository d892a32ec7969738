package credstore

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// waitBriefly gives a goroutine time to start waiting for a lock. Only the
// order of events is asserted, never how long anything took.
func waitBriefly() { time.Sleep(100 * time.Millisecond) }

// assertBusy fails unless the lock on endpoint is held by someone else.
func assertBusy(t *testing.T, s *Store, endpoint string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	unlock, err := s.Lock(ctx, endpoint, local)
	if err == nil {
		unlock()
		t.Fatal("took a lock that is held elsewhere")
	}
	assertCode(t, err, hfgate.EUNAVAILABLE)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

// lockAfter takes the lock on endpoint in a goroutine and reports on the
// returned channel whether it got it only after released was set.
func lockAfter(s *Store, endpoint string, released *atomic.Bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		unlock, err := s.Lock(ctx, endpoint, local)
		if err == nil {
			if !released.Load() {
				err = errors.New("took the lock before its holder released it")
			}
			unlock()
		}
		done <- err
	}()
	return done
}

func TestLockGoroutines(t *testing.T) {
	s, _ := newStore(t, NoKeyring{}, nil)
	unlock, err := s.Lock(context.Background(), hubsim, local)
	if err != nil {
		t.Fatal(err)
	}
	assertBusy(t, s, hubsim)
	assertBusy(t, s, "HTTP://127.0.0.1:8080/") // the same endpoint, spelt differently

	// Another endpoint has its own lock.
	if unlockOther, err := s.Lock(context.Background(), HuggingFaceEndpoint, local); err != nil {
		t.Fatalf("lock on another endpoint: %v", err)
	} else {
		unlockOther()
	}

	var released atomic.Bool
	done := lockAfter(s, hubsim, &released)
	waitBriefly()
	released.Store(true)
	unlock()
	unlock() // harmless
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	assertMode(t, s.ConfigDir+"/locks", 0o700)
}

func TestLockCanceled(t *testing.T) {
	s, _ := newStore(t, NoKeyring{}, nil)
	unlock, err := s.Lock(context.Background(), hubsim, local)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.Lock(ctx, hubsim, local)
		done <- err
	}()
	waitBriefly()
	cancel()
	err = <-done
	assertCode(t, err, hfgate.ECANCELED)
	if !errors.Is(err, context.Canceled) || !strings.Contains(hfgate.ErrorMessage(err), "waiting for another hfgate process") {
		t.Fatalf("err = %v", err)
	}
}

func TestLockProcesses(t *testing.T) {
	s, _ := newStore(t, NoKeyring{}, nil)

	t.Run("other process holds", func(t *testing.T) {
		cmd := helperCmd(t, "lock-hold", s.ConfigDir)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stdin.Close(); cmd.Wait() })
		readLine(t, stdout, "locked")

		assertBusy(t, s, hubsim)
		var released atomic.Bool
		done := lockAfter(s, hubsim, &released)
		waitBriefly()
		released.Store(true)
		stdin.Close() // the helper unlocks and exits
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("this process holds", func(t *testing.T) {
		probe := func() string {
			t.Helper()
			out, err := helperCmd(t, "lock-probe", s.ConfigDir).Output()
			if err != nil {
				t.Fatalf("probe: %v\n%s", err, out)
			}
			return string(out)
		}
		unlock, err := s.Lock(context.Background(), hubsim, local)
		if err != nil {
			t.Fatal(err)
		}
		if out := probe(); !strings.Contains(out, "timeout") {
			t.Fatalf("probe while locked printed %q, want timeout", out)
		}
		unlock()
		if out := probe(); !strings.Contains(out, "acquired") {
			t.Fatalf("probe after unlock printed %q, want acquired", out)
		}
	})
}
