package gateway_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/postgres"
	"github.com/hfgate/hfgate/postgres/postgrestest"
	"github.com/hfgate/hfgate/sqlstore"
)

// TestDatabaseRestartUnderLoad: while PostgreSQL restarts under a load of
// token checks, the gateway answers 200 (from its cache) or 503, never
// another status, nor a 401 that would tell a client its token is bad;
// after the restart every check succeeds again.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	srv := postgrestest.Start(t)
	store, err := postgres.Open(context.Background(), srv.URL, sqlstore.Options{Sealer: testKeys(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sim := startHubsim(t)
	// A short cache, so that checks reach the database during the restart.
	g := startGateway(t, sim, store, func(c *gateway.Config) { c.CheckTTL = 50 * time.Millisecond })
	b := newBrowser(t, g, "alice")
	b.signIn()
	tokens := []string{deviceSignIn(t, g, b, gateway.ClientHfgate).Token.AccessToken, deviceSignIn(t, g, b, gateway.ClientHF).Token.AccessToken}

	var (
		stop            atomic.Bool
		ok, unavailable atomic.Int64
		wg              sync.WaitGroup
		mu              sync.Mutex
		other           []int
	)
	for i := range 4 {
		wg.Go(func() {
			for !stop.Load() {
				resp := bearerGet(t, g.URL+"/api/whoami-v2", tokens[i%2])
				resp.Body.Close()
				switch resp.StatusCode {
				case http.StatusOK:
					ok.Add(1)
				case http.StatusServiceUnavailable:
					unavailable.Add(1)
					if resp.Header.Get("Retry-After") == "" {
						t.Error("503 without Retry-After")
					}
				default:
					mu.Lock()
					other = append(other, resp.StatusCode)
					mu.Unlock()
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	srv.Stop()
	time.Sleep(500 * time.Millisecond)
	srv.Restart()
	before := ok.Load()
	deadline := time.Now().Add(60 * time.Second)
	for ok.Load() < before+50 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if len(other) > 0 {
		t.Errorf("statuses other than 200 and 503 during the restart: %v", other)
	}
	if ok.Load() < before+50 {
		t.Errorf("checks did not recover after the restart")
	}
	t.Logf("%d checks answered, %d refused as unavailable during the restart", ok.Load(), unavailable.Load())
}
