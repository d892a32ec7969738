package main

import (
	"fmt"
	"os"
	"text/tabwriter"
)

// row is one line of the result table: a figure of a reference (a) and
// of the gateway (b).
type row struct {
	id, name string
	a, b     string
	ratio    string
	target   string
	status   string // PASS, MISS, FAIL, info
	note     string
}

func judge(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

func (b *bench) printTable(rows []row) {
	fmt.Println()
	fmt.Printf("# results (median of %d round(s); load average now %s)\n", b.cfg.rounds, loadavg())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tscenario\treference\tgateway\tratio\ttarget\tresult")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.id, r.name, dash(r.a), dash(r.b), dash(r.ratio), dash(r.target), r.status)
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
