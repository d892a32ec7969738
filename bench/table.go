package main

import (
	"fmt"
	"os"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// row is one line of the result table.
type row struct {
	id, name     string
	curl, hfgate string // the measured figures, formatted
	ratio        string
	target       string
	status       string // PASS, MISS, FAIL (an error or a bad file), SKIP
	note         string // printed under the table
}

// failed is the row of a scenario that could not be measured.
func failed(id, name string, err error) row {
	return row{id: id, name: name, status: "FAIL", note: err.Error()}
}

func (b *bench) printTable(rows []row) {
	out := make([]report.Row, len(rows))
	for i, r := range rows {
		out[i] = report.Row{ID: r.id, Name: r.name, A: r.curl, B: r.hfgate, Ratio: r.ratio, Target: r.target, Status: r.status, Note: r.note}
	}
	report.WriteTable(os.Stdout, fmt.Sprintf("results (median of %d; load average now %s)", b.cfg.reps, report.LoadAvg()), "curl", "hfgate", out)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mbps(bytes int64, d time.Duration) float64 { return float64(bytes) / d.Seconds() / 1e6 }

func mib(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
