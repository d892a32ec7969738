package fit

import "os"

func systemMemory() (total, available uint64, err error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, 0, errNoMemoryInfo(err)
	}
	defer f.Close()
	return ParseMeminfo(f)
}
