// Package report holds what the benchmark programs under bench/ (bench/run's
// and bench/gateway) share in printing their results: medians, the verdict
// words, the machine's load, command lines as a shell takes them, and the
// results table.
package report

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// Median returns the median of xs (the lower middle for an even count,
// zero for none), leaving xs as it was.
func Median[T ~int64 | ~float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Judge returns PASS or MISS.
func Judge(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// LoadAvg returns the 1, 5 and 15 minute load averages, or "unknown".
func LoadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	return strings.Join(f[:min(3, len(f))], " ")
}

// ShellJoin quotes argv for printing as a command line a shell would run
// as is.
func ShellJoin(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		if a != "" && strings.IndexFunc(a, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+%", r))
		}) < 0 {
			q[i] = a
			continue
		}
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

// Row is one line of a results table: its id, the scenario, the figures
// of the reference and of what is measured, their ratio, the target, the
// verdict, and a note printed under the table.
type Row struct {
	ID, Name, A, B, Ratio, Target, Status, Note string
}

// WriteTable writes rows under a title line, with a and b naming the two
// figures' columns; empty cells show "-", and notes follow the table.
func WriteTable(w io.Writer, title, a, b string, rows []Row) {
	fmt.Fprintf(w, "\n# %s\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "#\tscenario\t%s\t%s\tratio\ttarget\tresult\n", a, b)
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, dash(r.A), dash(r.B), dash(r.Ratio), dash(r.Target), r.Status)
	}
	tw.Flush()
	for _, r := range rows {
		if r.Note != "" {
			fmt.Fprintf(w, "%s: %s\n", r.ID, r.Note)
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
