package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestShellJoin(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"curl", "-L", "-o", "/tmp/a b", "http://127.0.0.1:1/x?y=1&z=2"}, `curl -L -o '/tmp/a b' 'http://127.0.0.1:1/x?y=1&z=2'`},
		{[]string{"hfgate", "download", "r/x", "--include", "small/*"}, `hfgate download r/x --include 'small/*'`},
		{[]string{"echo", "it's", ""}, `echo 'it'\''s' ''`},
		{[]string{"env", "HF_HOME=/tmp/h"}, `env HF_HOME=/tmp/h`},
	}
	for _, tt := range tests {
		if got := shellJoin(tt.argv); got != tt.want {
			t.Errorf("shellJoin(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}

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

func TestMedian(t *testing.T) {
	if got := median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("median of 3,1,2 = %d, want 2", got)
	}
	if got := median([]int64{4, 1, 3, 2}); got != 2 {
		t.Errorf("median of 4,1,3,2 = %d, want 2 (the lower middle)", got)
	}
	xs := []float64{9, 1, 5}
	median(xs)
	if xs[0] != 9 {
		t.Errorf("median reordered its argument: %v", xs)
	}
}
