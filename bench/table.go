package main

import (
	"fmt"
	"os"
	"text/tabwriter"
	"time"
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

// judge returns PASS or MISS.
func judge(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// failed is the row of a scenario that could not be measured.
func failed(id, name string, err error) row {
	return row{id: id, name: name, status: "FAIL", note: err.Error()}
}

func (b *bench) printTable(rows []row) {
	fmt.Println()
	fmt.Printf("# results (median of %d; load average now %s)\n", b.cfg.reps, loadavg())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tscenario\tcurl\thfgate\tratio\ttarget\tresult")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.id, r.name, dash(r.curl), dash(r.hfgate), dash(r.ratio), dash(r.target), r.status)
	}
	tw.Flush()
	for _, r := range rows {
		if r.note != "" {
			fmt.Printf("%s: %s\n", r.id, r.note)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
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
