//go:build !unix

package main

import "os"

// runMeasured is run: this platform gives no peak memory figure.
func (e *e2e) runMeasured(stdin string, args ...string) result {
	e.t.Helper()
	return e.run(stdin, args...)
}

// maxRSS is not known here.
func maxRSS(*os.ProcessState) int64 { return 0 }
