//go:build !linux && !darwin

package fit

func systemMemory() (total, available uint64, err error) { return 0, 0, errNoMemoryInfo(nil) }
