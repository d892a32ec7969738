package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// killCapBPS slows every CDN connection during the first run of scenario
// 4, so that the poll of the counters catches it near the middle.
const killCapBPS = 50_000_000

// killResume is scenario 4: kill -9 at about half of the 2 GiB file, run
// the same command again, and count every byte hubsim served to both.
func (b *bench) killResume(ctx context.Context) []row {
	const name = "kill -9 at half of 2 GiB, re-run: bytes served / size"
	size := b.lfs[benchRepo+"/"+bigFile].Size
	var ratios []float64
	var notes []string
	for range b.cfg.reps {
		served, killedAt, err := b.killOnce(ctx, size)
		if err != nil {
			return []row{failed("4", name, err)}
		}
		ratios = append(ratios, float64(served)/float64(size))
		notes = append(notes, fmt.Sprintf("killed at %s served, total %s", mib(killedAt), mib(served)))
	}
	worst := slices.Max(ratios)
	return []row{{id: "4", name: name, hfgate: fmt.Sprintf("%.4fx", worst), ratio: fmt.Sprintf("%.4fx", worst),
		target: "<= 1.05x", status: judge(worst <= 1.05),
		note: fmt.Sprintf("worst of %d; first run under bandwidthPerConn=%d on the CDN so that it is killable mid-way, the re-run unthrottled; bytes from /_hubsim/counters (both hosts), result sha256-checked; %v",
			len(ratios), killCapBPS, notes)}}
}

// killOnce downloads the 2 GiB file into a fresh HF_HOME, SIGKILLs hfgate
// once hubsim has served half of it, downloads again and returns the bytes
// served in all and when the kill came.
func (b *bench) killOnce(ctx context.Context, size int64) (served, killedAt int64, err error) {
	home := b.freshDir("hf-home")
	defer dropDir(home)
	if err := b.hs.reset(ctx); err != nil {
		return 0, 0, err
	}
	if err := b.hs.setFaults(ctx, fault{Host: "cdn", BandwidthPerConn: killCapBPS}); err != nil {
		return 0, 0, err
	}
	p := proc{argv: []string{b.bin, "download", benchRepo, bigFile}, env: b.hfgateEnv(home), bare: true}
	r, err := b.start(p)
	if err != nil {
		return 0, 0, err
	}
	exited := make(chan result, 1)
	go func() { exited <- r.wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for killedAt < size/2 {
		select {
		case res := <-exited:
			return 0, 0, fmt.Errorf("hfgate ended before half the file was served (%s): %v", mib(killedAt), res.err)
		case <-ctx.Done():
			r.cmd.Process.Kill()
			<-exited
			return 0, 0, ctx.Err()
		case <-tick.C:
		}
		c, err := b.hs.counters(ctx)
		if err != nil {
			r.cmd.Process.Kill()
			<-exited
			return 0, 0, err
		}
		killedAt = c.Hosts["cdn"].Bytes
	}
	b.logf("$ kill -9 %d   # hubsim has served %s of %s", r.cmd.Process.Pid, mib(killedAt), mib(size))
	r.cmd.Process.Signal(syscall.SIGKILL)
	if res := <-exited; res.err == nil {
		return 0, 0, errors.New("hfgate finished before it was killed; nothing was measured")
	}
	if err := b.hs.setFaults(ctx); err != nil {
		return 0, 0, err
	}
	if res := b.exec(ctx, p); res.err != nil {
		return 0, 0, fmt.Errorf("re-run after kill -9: %w", res.err)
	}
	c, err := b.hs.counters(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, h := range c.Hosts {
		served += h.Bytes
	}
	file, err := cachedFile(home, benchRepo, bigFile)
	if err == nil {
		err = b.verify(file, benchRepo, bigFile)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("after kill -9 and re-run, the result does not verify: %w", err)
	}
	if leftovers, _ := globIncomplete(home); len(leftovers) > 0 {
		return 0, 0, fmt.Errorf("after the re-run, partial files are left: %v", leftovers)
	}
	return served, killedAt, nil
}

// globIncomplete lists *.incomplete files left in the cache under hfHome.
func globIncomplete(hfHome string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(hfHome, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".incomplete") {
			out = append(out, path)
		}
		return err
	})
	return out, err
}
