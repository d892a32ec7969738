package gateway_test

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate/audit"
	"github.com/hfgate/hfgate/ciauth"
	"github.com/hfgate/hfgate/gateway"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
	"github.com/hfgate/hfgate/proxy"
	"github.com/hfgate/hfgate/sqlite"
	"github.com/hfgate/hfgate/sqlstore"
)

// BenchmarkExchange is CI token exchanges per second at one gateway on
// SQLite, over HTTP on loopback, each from a runner of its own address
// (the token endpoint's rate limit is per address): each verifies an RS256 ID token of
// hubsim's CI issuer (keys cached), matches the trust rule, spends the
// jti, stores the token and records the exchange in the audit log (group
// commit). serial is one job at a time; parallel 8 jobs at once. The ID
// tokens are minted before the clock starts.
//
//	go test -run '^$' -bench Exchange -benchtime 500x ./gateway
func BenchmarkExchange(b *testing.B) {
	for _, conc := range []int{1, 8} {
		name := "serial"
		if conc > 1 {
			name = "parallel-8"
		}
		b.Run(name, func(b *testing.B) {
			url, sim := benchGateway(b)
			tokens := make([]string, b.N)
			for i := range tokens {
				tokens[i] = hubsimtest.CIToken(b, sim, acmeApp(), url)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc}}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range conc {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						req, _ := http.NewRequest(http.MethodPost, url+"/oauth/token", strings.NewReader(exchangeForm(tokens[i]).Encode()))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.Header.Set("X-Forwarded-For", runner(i))
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							b.Errorf("exchange %d: %d", i, resp.StatusCode)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "exchanges/s")
		})
	}
}

// benchGateway runs a gateway on SQLite that trusts hubsim's CI issuer
// for acme/app, and returns its URL and hubsim.
func benchGateway(b *testing.B) (string, *hubsim.Server) {
	b.Helper()
	sim := hubsimtest.Start(b, hubsim.Options{})
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "gateway.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	w, err := audit.Open(ctx, store, audit.Config{Replica: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	g, err := gateway.New(gateway.Config{PublicURL: pub, Store: store, Hub: sim.URL(), Proxy: proxy.Config{Audit: w},
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		CI: gateway.CI{Issuers: []ciauth.Issuer{{Name: "hubsim-ci", URL: sim.CIIssuer()}},
			Rules: []ciauth.Rule{{Name: "acme-app-main", Issuer: "hubsim-ci", Claims: map[string]string{"repository_id": "42", "ref": "refs/heads/main"}}}}})
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: g.Handler()}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close(); g.Close() })
	return pub, sim
}

// runner is the address of CI runner i, as a trusted proxy says it.
func runner(i int) string {
	return "10." + strconv.Itoa(i>>16&255) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)
}
