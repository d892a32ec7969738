package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// target is one server the load is sent to: hubsim itself, the gateway,
// or oauth2-proxy, with what authenticates the client there.
type target struct {
	name   string
	base   string      // URL without a trailing slash
	header http.Header // Authorization or Cookie
}

// loadResult is what one load run measured.
type loadResult struct {
	total    int // every request sent, the warm-up's too
	requests int // the timed ones
	errors   int
	elapsed  time.Duration
	latency  []time.Duration // sorted
	firstErr error
}

func (r loadResult) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// pct returns the p-th percentile (0-100) of the latencies.
func (r loadResult) pct(p float64) time.Duration {
	if len(r.latency) == 0 {
		return 0
	}
	i := int(p / 100 * float64(len(r.latency)-1))
	return r.latency[i]
}

// load sends GET paths (in turn) to t over exactly conns keep-alive
// connections, each one request after another, for d after a warm-up of
// a second, and measures every request of the timed part. Any answer
// other than 200 counts as an error.
func load(ctx context.Context, t target, paths []string, conns int, d time.Duration) loadResult {
	var (
		mu  sync.Mutex
		res loadResult
		wg  sync.WaitGroup
	)
	warm := time.Now().Add(time.Second)
	stop := warm.Add(d)
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// One connection per worker, so that conns is the number of
			// connections the server sees.
			tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			var lat []time.Duration
			n, errs, total := 0, 0, 0
			var firstErr error
			for i := c; ; i++ {
				start := time.Now()
				if start.After(stop) || ctx.Err() != nil {
					break
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, t.base+paths[i%len(paths)], nil)
				for k, vs := range t.header {
					req.Header[k] = vs
				}
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("GET %s: %s", paths[i%len(paths)], resp.Status)
					}
				}
				total++
				if start.Before(warm) {
					continue
				}
				n++
				if err != nil {
					errs++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				lat = append(lat, time.Since(start))
			}
			mu.Lock()
			res.total += total
			res.requests += n
			res.errors += errs
			res.latency = append(res.latency, lat...)
			if res.firstErr == nil {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = d
	slices.Sort(res.latency)
	return res
}
