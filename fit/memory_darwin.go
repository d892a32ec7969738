package fit

import "golang.org/x/sys/unix"

func systemMemory() (total, available uint64, err error) {
	total, err = unix.SysctlUint64("hw.memsize")
	if err != nil || total == 0 {
		return 0, 0, errNoMemoryInfo(err)
	}
	return total, total, nil
}
