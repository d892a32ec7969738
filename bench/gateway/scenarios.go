package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// metaPaths are the metadata requests of the load, in turn: what a client
// asks before a download (repo info at a revision, the file list, refs).
var metaPaths = []string{
	"/api/models/hubsim/tiny-llama-GGUF/revision/main",
	"/api/models/hubsim/tiny-llama-GGUF/tree/main?recursive=true",
	"/api/models/hubsim/tiny-llama-GGUF/refs",
}

// metadata loads each target in turn, round after round, and compares
// the median requests per second.
func (b *bench) metadata(ctx context.Context) []row {
	targets := []target{b.direct, b.gw, b.o2pT}
	rps := map[string][]float64{}
	p50 := map[string][]time.Duration{}
	for round := range b.cfg.rounds {
		for i := range targets {
			t := targets[(i+round)%len(targets)] // a different target first each round
			res := load(ctx, t, metaPaths, b.cfg.conns, b.cfg.dur)
			if t.name == b.gw.name {
				b.requests += res.total
			}
			if res.errors > 0 {
				return []row{{id: "1", name: "metadata load", status: "FAIL", note: fmt.Sprintf("%s: %d errors, first: %v", t.name, res.errors, res.firstErr)}}
			}
			b.logf("# round %d, %s: %d requests in %s at %d connections: %.0f req/s, p50 %s, p99 %s; load average %s",
				round+1, t.name, res.requests, res.elapsed, b.cfg.conns, res.rps(), ms(res.pct(50)), ms(res.pct(99)), report.LoadAvg())
			rps[t.name] = append(rps[t.name], res.rps())
			p50[t.name] = append(p50[t.name], res.pct(50))
		}
	}
	direct, gw, o2p := report.Median(rps[b.direct.name]), report.Median(rps[b.gw.name]), report.Median(rps[b.o2pT.name])
	conns := fmt.Sprintf("%d conns", b.cfg.conns)
	return []row{
		{id: "1", name: "metadata req/s, " + conns + ": gateway vs hubsim", a: fmt.Sprintf("%.0f/s", direct), b: fmt.Sprintf("%.0f/s", gw),
			ratio: fmt.Sprintf("%.2fx", gw/direct), target: ">= 0.70x", status: report.Judge(gw >= 0.70*direct)},
		{id: "2", name: "metadata req/s, " + conns + ": gateway vs oauth2-proxy", a: fmt.Sprintf("%.0f/s", o2p), b: fmt.Sprintf("%.0f/s", gw),
			ratio: fmt.Sprintf("%.2fx", gw/o2p), target: ">= 5x", status: report.Judge(gw >= 5*o2p)},
		{id: "2b", name: "p50 latency, " + conns + ": hubsim / gateway / oauth2-proxy",
			a: ms(report.Median(p50[b.direct.name])), b: ms(report.Median(p50[b.gw.name])), ratio: ms(report.Median(p50[b.o2pT.name])), status: "info"},
	}
}

// latency measures the median latency at one connection, where no
// request waits for another: what the gateway adds to each.
func (b *bench) latency(ctx context.Context) []row {
	var direct, gw, o2p []time.Duration
	for round := range b.cfg.rounds {
		for _, t := range []target{b.direct, b.gw, b.o2pT} {
			res := load(ctx, t, metaPaths, 1, b.cfg.dur)
			if t.name == b.gw.name {
				b.requests += res.total
			}
			if res.errors > 0 {
				return []row{{id: "3", name: "latency", status: "FAIL", note: fmt.Sprintf("%s: %v", t.name, res.firstErr)}}
			}
			b.logf("# round %d, %s at 1 connection: p50 %s, p90 %s, p99 %s", round+1, t.name, ms(res.pct(50)), ms(res.pct(90)), ms(res.pct(99)))
			switch t.name {
			case b.direct.name:
				direct = append(direct, res.pct(50))
			case b.gw.name:
				gw = append(gw, res.pct(50))
			default:
				o2p = append(o2p, res.pct(50))
			}
		}
	}
	d, g, o := report.Median(direct), report.Median(gw), report.Median(o2p)
	added := g - d
	return []row{
		{id: "3", name: "p50 latency added, 1 conn: gateway - hubsim", a: ms(d), b: ms(g), ratio: "+" + ms(added),
			target: "< +0.300 ms", status: report.Judge(added < 300*time.Microsecond)},
		{id: "3b", name: "p50 latency added, 1 conn: oauth2-proxy - hubsim", a: ms(d), b: ms(o), ratio: "+" + ms(o-d), status: "info"},
	}
}

// download times "hfgate download" (which verifies the SHA-256 as it
// writes) of the 2 GiB file straight from hubsim, through the gateway
// with its cache emptied first (cold: the gateway fills while it streams),
// and through the gateway again (warm), each into an empty HF cache.
func (b *bench) download(ctx context.Context) []row {
	var direct, cold, warm []time.Duration
	for rep := range b.cfg.rounds {
		steps := []string{"hubsim", "gateway, cold", "gateway, warm"}
		if rep%2 == 1 {
			steps = []string{"gateway, cold", "gateway, warm", "hubsim"}
		}
		for i, step := range steps {
			endpoint, tok := b.hub, strings.TrimPrefix(b.direct.header.Get("Authorization"), "Bearer ")
			if step != "hubsim" {
				endpoint, tok = b.gw.base, b.gwToken
			}
			if step == "gateway, cold" {
				if err := b.emptyCache(ctx); err != nil {
					return []row{{id: "4", name: "2 GiB download", status: "FAIL", note: err.Error()}}
				}
			}
			home := filepath.Join(b.work, fmt.Sprintf("hf-%d-%d", rep, i))
			argv := []string{b.bin, "download", bigRepo, bigFile, "--json"}
			env := []string{"PATH=/usr/bin:/bin", "HOME=" + b.work, "HF_HOME=" + home, "HF_ENDPOINT=" + endpoint, "HF_TOKEN=" + tok}
			b.logf("$ env -i %s %s", report.ShellJoin(env[:4]), report.ShellJoin(argv)) // never the token
			cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			os.RemoveAll(home)
			if err != nil {
				return []row{{id: "4", name: "2 GiB download", status: "FAIL", note: fmt.Sprintf("%v: %s", err, lastLine(out))}}
			}
			b.logf("# %s: %s (%.0f MB/s); load average %s", step, ms(took), float64(2<<30)/took.Seconds()/1e6, report.LoadAvg())
			switch step {
			case "hubsim":
				direct = append(direct, took)
			case "gateway, cold":
				cold = append(cold, took)
			default:
				warm = append(warm, took)
			}
		}
	}
	d, c, w := report.Median(direct), report.Median(cold), report.Median(warm)
	rate := func(t time.Duration) string { return fmt.Sprintf("%.0f MB/s", float64(2<<30)/t.Seconds()/1e6) }
	return []row{
		{id: "4", name: "2 GiB hfgate download, cold cache: time, hubsim / gateway", a: ms(d), b: ms(c),
			ratio: fmt.Sprintf("%.2fx", c.Seconds()/d.Seconds()), target: "<= 1.2x", status: report.Judge(c.Seconds() <= 1.2*d.Seconds())},
		{id: "4w", name: "2 GiB hfgate download, warm cache: throughput, hubsim / gateway", a: rate(d), b: rate(w),
			ratio: fmt.Sprintf("%.2fx", d.Seconds()/w.Seconds()), target: ">= 0.90x", status: report.Judge(d.Seconds() >= 0.90*w.Seconds())},
	}
}

// auditRows counts the gateway's audit events of the bench's metadata
// requests: one decision event each, every one of them.
func (b *bench) auditRows(ctx context.Context) []row {
	if b.requests == 0 {
		return nil
	}
	out, err := b.admin(ctx, "", "audit", "--user", "local:bench", "--action", "read", "--json", "--database", b.gwDB,
		"--config", filepath.Join(b.work, "gateway.toml"))
	if err != nil {
		return []row{{id: "5", name: "audit rows = requests", status: "FAIL", note: err.Error()}}
	}
	n := strings.Count(string(out), "\n")
	return []row{{id: "5", name: "audit rows = metadata requests made", a: fmt.Sprint(b.requests), b: fmt.Sprint(n),
		target: "equal", status: report.Judge(n == b.requests)}}
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
