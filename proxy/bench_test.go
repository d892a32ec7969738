package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hfgate/hfgate"
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

// BenchmarkOverhead is the proxy's own cost per metadata request: the
// handler called in process, the Hub a static answer on loopback (policy,
// audit on memstore, the upstream exchange and the answer's checks).
func BenchmarkOverhead(b *testing.B) {
	body := []byte(`{"_id":"x","id":"hubsim/tiny-llama-GGUF","private":false,"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[{"rfilename":"a.gguf"},{"rfilename":"README.md"}]}`)
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	b.Cleanup(static.Close)
	e := newEnv(b, withFront(func(testing.TB, string) string { return static.URL }))
	bob := e.users["bob"].p
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, "/api/models/"+hubsim.RepoTiny, nil)
			req = req.WithContext(hfgate.WithPrincipal(req.Context(), bob))
			w := httptest.NewRecorder()
			e.proxy.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
