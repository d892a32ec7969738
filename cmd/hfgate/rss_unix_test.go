//go:build unix

package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// timeBin is GNU time, which measures a command's peak resident memory
// cleanly: a process the Go test starts directly inherits the test
// process's own peak (it is forked sharing its memory, and Linux carries
// that peak over the exec).
const timeBin = "/usr/bin/time"

// runMeasured is run, with the peak resident memory of hfgate itself in
// result.maxRSS, measured by GNU time when it is installed (scripts/test
// installs it); else run's figure, an upper bound that includes the test
// process's own.
func (e *e2e) runMeasured(stdin string, args ...string) result {
	e.t.Helper()
	if _, err := os.Stat(timeBin); err != nil {
		return e.run(stdin, args...)
	}
	out := filepath.Join(e.t.TempDir(), "rss")
	r := e.runVia(stdin, []string{timeBin, "-f", "%M", "-o", out}, args)
	r.maxRSS = 0
	if b, err := os.ReadFile(out); err == nil {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if kib, err := strconv.ParseInt(lines[len(lines)-1], 10, 64); err == nil {
			r.maxRSS = kib << 10
		}
	}
	return r
}

// maxRSS is a finished process's ru_maxrss in bytes (KiB on Linux, bytes
// on macOS).
func maxRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) << 10
}
