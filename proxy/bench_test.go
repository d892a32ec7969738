package proxy_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
)

// BenchmarkMetadata compares one repo info request to hubsim directly and
// through the proxy (policy, audit on memstore, upstream), 8 at a time.
//
// Both run in this process with the benchmark's clients, so the figure is
// a regression check of the proxy's cost, not the gateway's throughput
// (bench/ measures that, with hubsim in a process of its own).
func BenchmarkMetadata(b *testing.B) {
	for _, through := range []string{"direct", "proxy"} {
		b.Run(through, func(b *testing.B) {
			e := newEnv(b, withFront(func(_ testing.TB, hub string) string { return hub }))
			base, tok := e.url, "Bearer "+e.users["bob"].gw
			if through == "direct" {
				base, tok = e.hub.URL(), "Bearer "+e.users["bob"].up
			}
			url := base + "/api/models/" + hubsim.RepoTiny
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			client := &http.Client{Transport: tr}
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodGet, url, nil)
					req.Header.Set("Authorization", tok)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
