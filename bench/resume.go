package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
	"github.com/hfgate/hfgate/hfcache"
)

// killResume is scenario 4: kill -9 at about half of the 2 GiB file, run
// the same command again, and count every byte hubsim served to both.
func (b *bench) killResume(ctx context.Context) []row {
	const name = "kill -9 at half of 2 GiB, re-run: bytes served / size"
	size := b.lfs[benchRepo+"/"+bigFile].Size
	var ratios []float64
	var notes []string
	for range b.cfg.reps {
		k, err := b.killOnce(ctx, size)
		if err != nil {
			return []row{failed("4", name, err)}
		}
		ratios = append(ratios, float64(k.served)/float64(size))
		notes = append(notes, fmt.Sprintf("{kill at %s served, %s kept, %s in all}", inMiB(k.killedAt), k.kept, inMiB(k.served)))
	}
	worst := slices.Max(ratios)
	return []row{{id: "4", name: name, hfgate: fmt.Sprintf("%.4fx", worst), ratio: fmt.Sprintf("%.4fx", worst),
		target: "<= 1.05x", status: report.Judge(worst <= 1.05),
		note: fmt.Sprintf("worst of %d; first run under bandwidthPerConn=%d on the CDN so that it is killable mid-way, the re-run unthrottled; bytes from /_hubsim/counters (both hosts), result sha256-checked, no .incomplete left; %s",
			len(ratios), b.cfg.capBPS, strings.Join(notes, " "))}}
}

// killRun is what one kill and re-run gave.
type killRun struct {
	killedAt int64  // CDN bytes served when the kill was sent
	kept     string // what the kill left on disk: the prefix and the bytes in the parts file
	served   int64  // bytes served over both runs (both hosts)
}

// killOnce downloads the 2 GiB file into a fresh HF_HOME, SIGKILLs hfgate
// once hubsim has served half of it, and downloads again.
func (b *bench) killOnce(ctx context.Context, size int64) (k killRun, err error) {
	home := b.freshDir("hf-home")
	defer dropDir(home)
	if err := b.hs.reset(ctx); err != nil {
		return k, err
	}
	if err := b.hs.setFaults(ctx, fault{Host: "cdn", BandwidthPerConn: b.cfg.capBPS}); err != nil {
		return k, err
	}
	p := proc{argv: []string{b.bin, "download", benchRepo, bigFile}, env: b.hfgateEnv(home), bare: true}
	r, err := b.start(p)
	if err != nil {
		return k, err
	}
	exited := make(chan result, 1)
	go func() { exited <- r.wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for k.killedAt < size/2 {
		select {
		case res := <-exited:
			return k, fmt.Errorf("hfgate ended before half the file was served (%s): %v", mib(k.killedAt), res.err)
		case <-ctx.Done():
			r.killGroup()
			<-exited
			return k, ctx.Err()
		case <-tick.C:
		}
		c, err := b.hs.counters(ctx)
		if err != nil {
			r.killGroup()
			<-exited
			return k, err
		}
		k.killedAt = c.Hosts["cdn"].Bytes
	}
	b.logf("$ kill -9 %d   # hubsim has served %s of %s", r.cmd.Process.Pid, mib(k.killedAt), mib(size))
	r.cmd.Process.Signal(syscall.SIGKILL)
	if res := <-exited; res.err == nil {
		return k, errors.New("hfgate finished before it was killed; nothing was measured")
	}
	k.kept = journalDone(home)
	if err := b.hs.setFaults(ctx); err != nil {
		return k, err
	}
	if res := b.exec(ctx, p); res.err != nil {
		return k, fmt.Errorf("re-run after kill -9: %w", res.err)
	}
	c, err := b.hs.counters(ctx)
	if err != nil {
		return k, err
	}
	for _, h := range c.Hosts {
		k.served += h.Bytes
	}
	file, err := cachedFile(home, benchRepo, bigFile)
	if err == nil {
		err = b.verify(file, benchRepo, bigFile)
	}
	if err != nil {
		return k, fmt.Errorf("after kill -9 and re-run, the result does not verify: %w", err)
	}
	if leftovers, _ := globIncomplete(home); len(leftovers) > 0 {
		return k, fmt.Errorf("after the re-run, partial files are left: %v", leftovers)
	}
	return k, nil
}

// journalDone says what the killed run kept, for the notes: the length of
// the .incomplete file (a prefix of the content) and the bytes the
// download journal (*.hfgate-journal) records in the parts file beyond it.
// "?" if there is no partial file.
func journalDone(hfHome string) string {
	inc, _ := filepath.Glob(filepath.Join(hfHome, "hub", "*", "blobs", "*.incomplete"))
	if len(inc) != 1 {
		return "?"
	}
	fi, err := os.Stat(inc[0])
	if err != nil {
		return "?"
	}
	prefix := fi.Size()
	var j struct {
		Prefix   int64
		Segments []struct{ Start, Done int64 }
	}
	data, err := os.ReadFile(strings.TrimSuffix(inc[0], hfcache.IncompleteSuffix) + hfcache.JournalSuffix)
	if err != nil || json.Unmarshal(data, &j) != nil {
		return inMiB(prefix) + " (prefix)"
	}
	var parts int64
	from := max(prefix, j.Prefix)
	for _, sg := range j.Segments {
		parts += max(0, sg.Done-max(sg.Start, from))
	}
	return fmt.Sprintf("%s (%s prefix + %s out of order)", inMiB(prefix+parts), inMiB(prefix), inMiB(parts))
}

func inMiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// globIncomplete lists the files of unfinished downloads left in the cache
// under hfHome.
func globIncomplete(hfHome string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(hfHome, func(path string, d fs.DirEntry, err error) error {
		if err == nil && hfcache.IsPartial(d.Name()) {
			out = append(out, path)
		}
		return err
	})
	return out, err
}
