package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// smallFiles is scenario 3: the 50 files of 1 MiB under small/, with a
// round-trip latency on every request (Hub and CDN), hfgate with --include
// against one curl process fetching them one after another (one process,
// so curl keeps its connections: the fastest sequential curl).
func (b *bench) smallFiles(ctx context.Context) []row {
	name := fmt.Sprintf("%d x 1 MiB files, %v latency per request: wall time", smallCount, b.cfg.latency)
	var files []string
	for k := range b.lfs {
		if p, ok := strings.CutPrefix(k, benchRepo+"/"); ok && strings.HasPrefix(p, "small/") {
			files = append(files, p)
		}
	}
	slices.Sort(files)
	if len(files) != smallCount {
		return []row{failed("3", name, fmt.Errorf("%s has %d LFS files under small/, want %d", benchRepo, len(files), smallCount))}
	}
	if err := b.hs.setFaults(ctx, fault{Latency: b.cfg.latency.String()}); err != nil {
		return []row{failed("3", name, err)}
	}
	defer b.hs.reset(ctx)
	curl := func() result {
		dir := b.freshDir("curl")
		defer dropDir(dir)
		argv := []string{"curl", "-q", "-sS", "-f", "-L", "--create-dirs"}
		for _, f := range files {
			argv = append(argv, "-o", filepath.Join(dir, f), b.resolveURL(benchRepo, f))
		}
		r := b.exec(ctx, proc{argv: argv})
		for _, f := range files {
			if err := b.verify(filepath.Join(dir, f), benchRepo, f); err != nil && r.err == nil {
				r.err = fmt.Errorf("curl: %w", err)
			}
		}
		return r
	}
	c, h, err := b.pairRuns(curl, func() result {
		return b.download(ctx, benchRepo, []string{"--include", smallGlob}, files)
	})
	if err != nil {
		return []row{failed("3", name, err)}
	}
	cw, hw := report.Median(walls(c)), report.Median(walls(h))
	return []row{{id: "3", name: name, curl: secs(cw), hfgate: secs(hw),
		ratio: fmt.Sprintf("%.1fx", cw.Seconds()/hw.Seconds()), target: ">= 4x", status: report.Judge(cw.Seconds()/hw.Seconds() >= 4),
		note: fmt.Sprintf("hubsim fault latency=%v on every Hub and CDN request, for curl and hfgate alike; curl is one process, files one after another; %s; runs: curl %v, hfgate %v",
			b.cfg.latency, cpuNote(c, h), walls(c), walls(h))}}
}
