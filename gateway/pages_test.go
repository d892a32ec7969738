package gateway

import "testing"

// TestCount: the console's counts agree with their numbers, whatever the
// integer type a view holds.
func TestCount(t *testing.T) {
	count := pageFuncs["count"].(func(any, string, string) string)
	for _, tt := range []struct {
		n    any
		want string
	}{
		{0, "0 chains"}, {1, "1 chain"}, {2, "2 chains"}, {int64(1), "1 chain"}, {int64(12), "12 chains"},
	} {
		if got := count(tt.n, "chain", "chains"); got != tt.want {
			t.Errorf("count(%v) = %q; want %q", tt.n, got, tt.want)
		}
	}
}
