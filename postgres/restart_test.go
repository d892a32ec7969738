package postgres_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/postgres/postgrestest"
)

// waitEvent waits for an event on ch that want accepts.
func waitEvent(t *testing.T, what string, ch <-chan hfgate.Revocation, want func(hfgate.Revocation) bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case r := <-ch:
			if want(r) {
				return
			}
		case <-deadline:
			t.Fatalf("no announcement: %s", what)
		}
	}
}

// TestListenerReconnects: when the server goes away, subscribers are told
// to drop everything, again when the listener is back, and revocations
// arrive after that as before.
func TestListenerReconnects(t *testing.T) {
	srv := postgrestest.Start(t)
	a, b := mustOpen(t, srv.URL, nil), mustOpen(t, srv.URL, nil)
	events := make(chan hfgate.Revocation, 1000)
	defer b.OnRevocation(func(r hfgate.Revocation) { events <- r })()

	srv.Stop()
	waitEvent(t, "All after the connection dropped", events, func(r hfgate.Revocation) bool { return r.All })
	srv.Restart()
	waitEvent(t, "All after listening again", events, func(r hfgate.Revocation) bool { return r.All })

	// The pool's connections died with the server; the next statements
	// get new ones.
	tok := &hfgate.Token{ID: "tok_after", Hash: "h", Kind: hfgate.TokenPersonal, Subject: "local:bot", Expires: time.Now().Add(time.Hour)}
	var err error
	for range 20 {
		if err = a.CreateTokens(t.Context(), tok); err == nil || hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("CreateTokens after the restart: %v", err)
	}
	if _, err := a.RevokeTokens(t.Context(), hfgate.TokenRevocation{ID: tok.ID, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, "the revocation after the restart", events, func(r hfgate.Revocation) bool { return r.TokenID == tok.ID })
}

// TestRestartUnderLoad: while the database restarts under a load of
// writes, every failure is EUNAVAILABLE (never a half-made pair of
// tokens, never an internal error), and writes succeed again after it.
func TestRestartUnderLoad(t *testing.T) {
	srv := postgrestest.Start(t)
	s := mustOpen(t, srv.URL, nil)
	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		ok, down atomic.Int64
		mu       sync.Mutex
		created  []string // families whose CreateTokens succeeded
	)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				fam := fmt.Sprintf("fam-%d-%d", w, i)
				access := &hfgate.Token{ID: fam + "-a", Hash: fam + "-a", Kind: hfgate.TokenAccess, Subject: "local:bot", FamilyID: fam, Expires: time.Now().Add(time.Hour)}
				refresh := &hfgate.Token{ID: fam + "-r", Hash: fam + "-r", Kind: hfgate.TokenRefresh, Subject: "local:bot", FamilyID: fam, Expires: time.Now().Add(time.Hour)}
				err := s.CreateTokens(t.Context(), access, refresh)
				switch {
				case err == nil:
					ok.Add(1)
					mu.Lock()
					created = append(created, fam)
					mu.Unlock()
				case hfgate.ErrorCode(err) == hfgate.EUNAVAILABLE:
					down.Add(1)
					time.Sleep(10 * time.Millisecond)
				default:
					t.Errorf("CreateTokens during a restart: %v (code %s)", err, hfgate.ErrorCode(err))
					return
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	srv.Stop()
	time.Sleep(300 * time.Millisecond)
	srv.Restart()
	before := ok.Load()
	deadline := time.Now().Add(60 * time.Second)
	for ok.Load() < before+20 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if down.Load() == 0 {
		t.Log("no write failed during the restart (it was quick)")
	}
	if ok.Load() < before+20 {
		t.Fatalf("writes did not recover after the restart: %d before, %d after", before, ok.Load())
	}
	// Every pair is whole: as many tokens as twice the families stored.
	list, err := s.ListTokens(t.Context(), hfgate.TokenQuery{Ended: true})
	if err != nil {
		t.Fatal(err)
	}
	byFamily := map[string]int{}
	for _, tok := range list {
		byFamily[tok.FamilyID]++
	}
	for fam, n := range byFamily {
		if n != 2 {
			t.Errorf("family %s has %d tokens stored, want 2", fam, n)
		}
	}
	for _, fam := range created {
		if byFamily[fam] != 2 {
			t.Errorf("family %s: CreateTokens succeeded but %d tokens are stored", fam, byFamily[fam])
		}
	}
	t.Logf("%d pairs stored, %d writes refused as unavailable during the restart", ok.Load(), down.Load())
}
