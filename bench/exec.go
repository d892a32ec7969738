package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// timeBin measures peak RSS ("Maximum resident set size"), as GNU time -v.
const timeBin = "/usr/bin/time"

// proc is one command to measure.
type proc struct {
	argv []string
	env  []string // KEY=VALUE on top of the bench's minimal environment
	// bare runs the command itself, not under /usr/bin/time -v, so that
	// a signal reaches it (and no peak RSS or CPU time is measured).
	bare bool
}

// result is what one run of a proc gave.
type result struct {
	wall   time.Duration
	cpu    time.Duration // user + system, from /usr/bin/time -v
	synced time.Duration // curlFile with fsync: how long "sync FILE" took after
	hashed time.Duration // curlFile with fsync: how long "sha256sum FILE" took after
	rssKiB int64         // peak RSS from /usr/bin/time -v
	// serverCPU is the CPU time hubsim spent meanwhile (serving this
	// command, and anything else that ran at the same time).
	serverCPU time.Duration
	err       error
}

// running is a started proc.
type running struct {
	cmd     *exec.Cmd
	name    string // of the measured command, not of /usr/bin/time
	start   time.Time
	logPath string
	rssPath string
}

// start prints the exact command line and starts it with a minimal
// environment (no proxies, no user config, PATH=/usr/bin:/bin so curl is
// the system's), stdout and stderr to a log file.
func (b *bench) start(p proc) (*running, error) {
	b.seq++
	r := &running{name: filepath.Base(p.argv[0]), logPath: filepath.Join(b.work, "logs", fmt.Sprintf("%03d.log", b.seq))}
	argv := p.argv
	if !p.bare {
		r.rssPath = filepath.Join(b.work, "logs", fmt.Sprintf("%03d.time", b.seq))
		argv = append([]string{timeBin, "-v", "-o", r.rssPath}, argv...)
	}
	env := append([]string{"PATH=/usr/bin:/bin", "HOME=" + b.home, "TMPDIR=" + b.tmp}, p.env...)
	b.logf("$ %s", report.ShellJoin(append(append([]string{"env", "-i"}, env...), argv...)))
	logf, err := os.Create(r.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	r.cmd = exec.Command(argv[0], argv[1:]...)
	r.cmd.Env = env
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	// Its own process group, so that killGroup also reaches a command
	// running under /usr/bin/time.
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r.start = time.Now()
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	return r, nil
}

// wait waits for the command and returns its wall time and peak RSS.
func (r *running) wait() result {
	err := r.cmd.Wait()
	res := result{wall: time.Since(r.start)}
	if err != nil {
		out, _ := os.ReadFile(r.logPath)
		res.err = fmt.Errorf("%s: %v: %s", r.name, err, tail(out, 400))
	}
	if r.rssPath != "" {
		res.rssKiB, res.cpu = timeV(r.rssPath)
	}
	return res
}

// killGroup sends SIGKILL to the command and everything it started.
func (r *running) killGroup() { syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL) }

// exec runs p to the end, or until ctx ends.
func (b *bench) exec(ctx context.Context, p proc) result {
	before := b.hs.cpu()
	r, err := b.start(p)
	if err != nil {
		return result{err: err}
	}
	stop := context.AfterFunc(ctx, r.killGroup)
	defer stop()
	res := r.wait()
	res.serverCPU = b.hs.cpu() - before
	return res
}

var (
	rssLine = regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`)
	cpuLine = regexp.MustCompile(`(?:User|System) time \(seconds\): ([0-9.]+)`)
)

// timeV reads the peak RSS and the CPU time from /usr/bin/time -v output.
func timeV(path string) (rssKiB int64, cpu time.Duration) {
	data, _ := os.ReadFile(path)
	if m := rssLine.FindSubmatch(data); m != nil {
		rssKiB, _ = strconv.ParseInt(string(m[1]), 10, 64)
	}
	for _, m := range cpuLine.FindAllSubmatch(data, -1) {
		s, _ := strconv.ParseFloat(string(m[1]), 64)
		cpu += time.Duration(s * float64(time.Second))
	}
	return rssKiB, cpu
}

func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = append([]byte("..."), b[len(b)-n:]...)
	}
	return string(b)
}
