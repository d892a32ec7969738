package hfgate_test

import (
	"regexp"
	"testing"

	"github.com/hfgate/hfgate"
)

func TestUserCode(t *testing.T) {
	form := regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`)
	seen := map[string]bool{}
	for range 500 {
		c := hfgate.NewUserCode()
		if !form.MatchString(c) || seen[c] {
			t.Fatalf("user code %q: want XXXX-XXXX of the 20 letters, each new", c)
		}
		seen[c] = true
		if hfgate.NormalizeUserCode(c) != c {
			t.Fatalf("NormalizeUserCode(%q) = %q", c, hfgate.NormalizeUserCode(c))
		}
	}
	for in, want := range map[string]string{
		"wdjb-mjht":   "WDJB-MJHT",
		"WDJBMJHT":    "WDJB-MJHT",
		" wdjb mjht ": "WDJB-MJHT",
		"WD-JB-MJ-HT": "WDJB-MJHT",
		"WDJB-MJH":    "",
		"WDJB-MJHTX":  "",
		"WDJB-MJH0":   "", // a digit
		"WDJB-MJHA":   "", // a vowel
		"":            "",
		"WDJB-MJHŦ":   "",
	} {
		if got := hfgate.NormalizeUserCode(in); got != want {
			t.Errorf("NormalizeUserCode(%q) = %q, want %q", in, got, want)
		}
	}
}
