package fit

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/hfgate/hfgate"
)

// SystemMemory returns this machine's total memory and the memory available
// to start a new program without swapping, in bytes.
//
// On Linux both come from /proc/meminfo: MemTotal and MemAvailable (the
// kernel's own estimate, which counts reclaimable page cache as available);
// a kernel older than 3.14, with no MemAvailable, gives MemFree + Buffers +
// Cached. On macOS total is the hw.memsize sysctl and available is the
// same figure: macOS keeps memory full of cache it gives back on demand, so
// its free-page count is no guide. Elsewhere it fails with EUNAVAILABLE
// and hfgate.ActionSetMemory: the size must be stated instead.
func SystemMemory() (total, available uint64, err error) { return systemMemory() }

// errNoMemoryInfo is the error of SystemMemory where it cannot tell.
func errNoMemoryInfo(err error) error {
	return hfgate.WrapError(hfgate.EUNAVAILABLE, err, "cannot read this machine's memory size").WithAction(hfgate.ActionSetMemory)
}

// ParseMeminfo reads the format of Linux's /proc/meminfo ("MemTotal:
// 16314284 kB" lines) and returns MemTotal and MemAvailable in bytes, with
// MemFree + Buffers + Cached standing in for a missing MemAvailable. It
// fails with EUNAVAILABLE when MemTotal is missing.
func ParseMeminfo(r io.Reader) (total, available uint64, err error) {
	vals := map[string]uint64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			continue
		}
		if len(fields) > 1 && strings.EqualFold(fields[1], "kB") {
			n *= 1024
		}
		vals[key] = n
	}
	if err := sc.Err(); err != nil {
		return 0, 0, errNoMemoryInfo(err)
	}
	total, ok := vals["MemTotal"]
	if !ok || total == 0 {
		return 0, 0, errNoMemoryInfo(nil)
	}
	available, ok = vals["MemAvailable"]
	if !ok {
		available = vals["MemFree"] + vals["Buffers"] + vals["Cached"]
	}
	return total, min(available, total), nil
}
