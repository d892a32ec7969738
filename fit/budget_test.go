package fit_test

import (
	"strings"
	"testing"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/fit"
)

func TestNewBudget(t *testing.T) {
	for _, tt := range []struct {
		bytes, usable int64
	}{
		{16 << 30, 16<<30 - 16<<30/10}, // a tenth kept free
		{8 << 30, 7 << 30},             // at least 1 GiB kept free
		{512 << 20, 0},
		{0, 0},
	} {
		b := fit.NewBudget(tt.bytes, "x")
		if b.Usable != tt.usable || b.Bytes != max(tt.bytes, 0) {
			t.Errorf("NewBudget(%d) = %+v, want usable %d", tt.bytes, b, tt.usable)
		}
	}
	b := fit.NewBudget(8<<30, "--memory")
	for need, want := range map[int64]fit.Verdict{1: fit.Fits, 7 << 30: fit.Fits, 7<<30 + 1: fit.TooBig, 0: fit.Unknown} {
		if got := b.Verdict(need); got != want {
			t.Errorf("Verdict(%d) = %q, want %q", need, got, want)
		}
	}
	if got := (fit.Budget{}).Verdict(1); got != fit.Unknown {
		t.Errorf("unknown budget: Verdict = %q", got)
	}
}

func TestParseMeminfo(t *testing.T) {
	const modern = `MemTotal:       24684092 kB
MemFree:        22754756 kB
MemAvailable:   24112108 kB
Buffers:           57952 kB
Cached:          1475684 kB
HugePages_Total:       0
`
	total, avail, err := fit.ParseMeminfo(strings.NewReader(modern))
	if err != nil || total != 24684092*1024 || avail != 24112108*1024 {
		t.Errorf("modern: %d %d %v", total, avail, err)
	}
	const old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n"
	total, avail, err = fit.ParseMeminfo(strings.NewReader(old))
	if err != nil || total != 1000*1024 || avail != 420*1024 {
		t.Errorf("without MemAvailable: %d %d %v, want free+buffers+cached", total, avail, err)
	}
	if _, _, err := fit.ParseMeminfo(strings.NewReader("MemFree: 1 kB\n")); hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || hfgate.ErrorAction(err) != hfgate.ActionSetMemory {
		t.Errorf("no MemTotal: err=%v, want EUNAVAILABLE asking for the memory to be stated", err)
	}
}

func TestSystemMemory(t *testing.T) {
	total, avail, err := fit.SystemMemory()
	if err != nil {
		t.Skipf("no memory information here: %v", err)
	}
	if total == 0 || avail == 0 || avail > total {
		t.Errorf("SystemMemory = %d, %d", total, avail)
	}
}
