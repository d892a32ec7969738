package main

import (
	"fmt"
	"os"

	"github.com/hfgate/hfgate/bench/internal/report"
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

func (b *bench) printTable(rows []row) {
	out := make([]report.Row, len(rows))
	for i, r := range rows {
		out[i] = report.Row{ID: r.id, Name: r.name, A: r.a, B: r.b, Ratio: r.ratio, Target: r.target, Status: r.status, Note: r.note}
	}
	report.WriteTable(os.Stdout, fmt.Sprintf("results (median of %d round(s); load average now %s)", b.cfg.rounds, report.LoadAvg()), "reference", "gateway", out)
}
