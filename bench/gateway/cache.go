package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// This file measures issue 15's team cache: the 2 GiB file through the
// gateway with its cache cold (emptied by hfgate admin cache rm) and
// warm, against the same GET straight from hubsim (redirect to its CDN
// followed), and a cold fill behind a per-connection bandwidth cap on the
// CDN, where a client must never wait HF_HUB_DOWNLOAD_TIMEOUT (10 s) for a
// byte.

const (
	bigRepo = "hubsim/benchmark"
	bigFile = "blob-2GiB.bin"
	// capPerConn is the CDN's per-connection cap of the capped scenario:
	// the 2 GiB file takes 107 s over one connection.
	capPerConn = 20_000_000
	// hfTimeout is huggingface_hub's HF_HUB_DOWNLOAD_TIMEOUT default.
	hfTimeout = 10 * time.Second
)

// fetch is what one timed GET measured.
type fetch struct {
	ttfb, total, maxGap time.Duration
	bytes               int64
}

// get GETs path of t whole, discarding the body, and times its first
// byte, its end and the longest wait between two reads.
func get(ctx context.Context, t target, path string) (fetch, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+path, nil)
	if err != nil {
		return fetch{}, err
	}
	for k, v := range t.header {
		req.Header[k] = v
	}
	// A redirect (hubsim's, to its CDN) is followed without the
	// credential, as HF clients do: Go would keep it for another port.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	start := time.Now()
	resp, err := client.Do(req)
	if err == nil && resp.StatusCode/100 == 3 {
		resp.Body.Close()
		loc, lerr := resp.Location()
		if lerr != nil {
			return fetch{}, lerr
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil); err != nil {
			return fetch{}, err
		}
		resp, err = client.Do(req)
	}
	if err != nil {
		return fetch{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fetch{}, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	var f fetch
	buf := make([]byte, 1<<20)
	last := start
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			now := time.Now()
			if f.bytes == 0 {
				f.ttfb = now.Sub(start)
			}
			f.maxGap = max(f.maxGap, now.Sub(last))
			last = now
			f.bytes += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return f, err
		}
	}
	f.total = time.Since(start)
	return f, nil
}

// emptyCache removes the bench repo's files from the gateway's cache.
func (b *bench) emptyCache(ctx context.Context) error {
	_, err := b.adminAs(ctx, "cache", "rm", "--repo", bigRepo, "--gateway", b.gw.base)
	return err
}

// cacheRows times the 2 GiB GET: straight from hubsim, through the
// gateway cold, then warm, round after round; then cold behind the cap.
func (b *bench) cacheRows(ctx context.Context) []row {
	path := "/" + bigRepo + "/resolve/main/" + bigFile
	var direct, cold, warm []fetch
	for round := range b.cfg.rounds {
		if err := b.emptyCache(ctx); err != nil {
			return []row{{id: "c", name: "cache", status: "FAIL", note: err.Error()}}
		}
		for _, step := range []struct {
			name string
			t    target
			out  *[]fetch
		}{{"hubsim", b.direct, &direct}, {"gateway, cold", b.gw, &cold}, {"gateway, warm", b.gw, &warm}} {
			f, err := get(ctx, step.t, path)
			if err != nil {
				return []row{{id: "c", name: "cache: " + step.name, status: "FAIL", note: err.Error()}}
			}
			b.logf("# round %d, GET %s via %s: first byte %s, all %s (%s), longest wait %s; load average %s",
				round+1, bigFile, step.name, ms(f.ttfb), ms(f.total), mbps(f.bytes, f.total), ms(f.maxGap), report.LoadAvg())
			*step.out = append(*step.out, f)
		}
	}
	d, c, w := medianFetch(direct), medianFetch(cold), medianFetch(warm)
	rows := []row{
		{id: "c1", name: "2 GiB GET, cold cache: first byte, hubsim / gateway", a: ms(d.ttfb), b: ms(c.ttfb),
			target: "< 500 ms", status: report.Judge(c.ttfb < 500*time.Millisecond)},
		{id: "c2", name: "2 GiB GET, cold cache: time, hubsim / gateway", a: ms(d.total), b: ms(c.total),
			ratio: fmt.Sprintf("%.2fx", c.total.Seconds()/d.total.Seconds()), target: "<= 1.2x", status: report.Judge(c.total.Seconds() <= 1.2*d.total.Seconds())},
		{id: "c3", name: "2 GiB GET, warm cache: throughput, hubsim / gateway", a: mbps(d.bytes, d.total), b: mbps(w.bytes, w.total),
			ratio: fmt.Sprintf("%.2fx", d.total.Seconds()/w.total.Seconds()), target: ">= 0.90x", status: report.Judge(d.total.Seconds() >= 0.9*w.total.Seconds())},
	}
	return append(rows, b.cappedRow(ctx, path))
}

// cappedRow fills the 2 GiB file through the gateway while hubsim's CDN
// sends at most capPerConn bytes per second per connection: the first
// byte and every later one must come well within hfTimeout.
func (b *bench) cappedRow(ctx context.Context, path string) row {
	if err := b.emptyCache(ctx); err != nil {
		return row{id: "c4", name: "capped", status: "FAIL", note: err.Error()}
	}
	rule := fmt.Sprintf(`[{"host":"cdn","bandwidthPerConn":%d}]`, capPerConn)
	if err := b.hubsimAdmin(ctx, http.MethodPut, "/_hubsim/faults", rule, nil); err != nil {
		return row{id: "c4", name: "capped", status: "FAIL", note: err.Error()}
	}
	defer b.hubsimAdmin(context.WithoutCancel(ctx), http.MethodDelete, "/_hubsim/faults", "", nil)
	f, err := get(ctx, b.gw, path)
	if err != nil {
		return row{id: "c4", name: "capped", status: "FAIL", note: err.Error()}
	}
	one := time.Duration(float64(2<<30) / capPerConn * float64(time.Second))
	b.logf("# CDN capped at %.0f MB/s per connection (one connection: %s): GET via the gateway, cold: first byte %s, all %s (%s), longest wait %s",
		float64(capPerConn)/1e6, ms(one), ms(f.ttfb), ms(f.total), mbps(f.bytes, f.total), ms(f.maxGap))
	worst := max(f.ttfb, f.maxGap)
	return row{id: "c4", name: fmt.Sprintf("2 GiB cold, CDN capped %.0f MB/s/conn: longest wait for a byte", float64(capPerConn)/1e6),
		a: "1 conn: " + fmt.Sprintf("%.0f s", one.Seconds()), b: ms(worst) + fmt.Sprintf(" (all in %.1f s)", f.total.Seconds()),
		target: "< 10 s", status: report.Judge(worst < hfTimeout/2)}
}

// adminAs runs "hfgate admin ARGS" as the bench user (its gateway token).
func (b *bench) adminAs(ctx context.Context, args ...string) ([]byte, error) {
	saved := b.env
	defer func() { b.env = saved }()
	b.env = append(append([]string(nil), saved...), "HF_TOKEN="+b.gwToken,
		"XDG_CONFIG_HOME="+filepath.Join(b.work, "config"))
	return b.admin(ctx, "", args...)
}

func mbps(n int64, d time.Duration) string {
	return fmt.Sprintf("%.0f MB/s", float64(n)/d.Seconds()/1e6)
}

// medianFetch returns the fetch of median total time.
func medianFetch(fs []fetch) fetch {
	totals := make([]time.Duration, len(fs))
	for i, f := range fs {
		totals[i] = f.total
	}
	m := report.Median(totals)
	for _, f := range fs {
		if f.total == m {
			return f
		}
	}
	return fetch{}
}
