package report

import (
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
		if got := ShellJoin(tt.argv); got != tt.want {
			t.Errorf("ShellJoin(%q) = %s, want %s", tt.argv, got, tt.want)
		}
	}
}

func TestMedian(t *testing.T) {
	if got := Median([]time.Duration{3, 1, 2}); got != 2 {
		t.Errorf("Median of 3,1,2 = %d, want 2", got)
	}
	if got := Median([]int64{4, 1, 3, 2}); got != 2 {
		t.Errorf("Median of 4,1,3,2 = %d, want 2 (the lower middle)", got)
	}
	xs := []float64{9, 1, 5}
	Median(xs)
	if xs[0] != 9 {
		t.Errorf("Median reordered its argument: %v", xs)
	}
}
