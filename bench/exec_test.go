package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTimeV(t *testing.T) {
	// The lines of GNU time -v that timeV reads, among others it ignores.
	out := `	Command being timed: "curl -o f http://x"
	User time (seconds): 0.25
	System time (seconds): 1.50
	Percent of CPU this job got: 90%
	Maximum resident set size (kbytes): 27264
	Average resident set size (kbytes): 0
`
	path := filepath.Join(t.TempDir(), "time.txt")
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	rss, cpu := timeV(path)
	if rss != 27264 {
		t.Errorf("rss = %d KiB, want 27264", rss)
	}
	if cpu != 1750*time.Millisecond {
		t.Errorf("cpu = %v, want 1.75s", cpu)
	}
	if rss, cpu := timeV(filepath.Join(t.TempDir(), "missing")); rss != 0 || cpu != 0 {
		t.Errorf("missing file: rss %d, cpu %v, want zeros", rss, cpu)
	}
}
