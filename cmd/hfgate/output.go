package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/hfgate/hfgate"
)

// writeJSON writes v as indented JSON followed by a newline: the --json output
// of every listing command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes aligned columns. Call Row per line, then Flush.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(header...)
	}
	return t
}

// Row adds one line. Cells go through printable: they often hold text
// anyone can write on the Hub (tags, card data, error messages).
func (t *table) Row(cells ...string) {
	for i, c := range cells {
		cells[i] = printable(c)
	}
	fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
}

// printable makes text safe for a terminal: tabs and line breaks become
// spaces, and other control characters (ESC, C1, DEL) become '?', so that
// text from the Hub cannot move the cursor, fake output or set the
// clipboard (OSC 52) through escape sequences.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r):
			return '?'
		}
		return r
	}, s)
}

func (t *table) Flush() error { return t.tw.Flush() }

// warn prints "hfgate: " and the formatted message on stderr, made
// printable: messages quote server text (names, reasons, addresses).
func (a *app) warn(format string, args ...any) {
	fmt.Fprintf(a.io.Err, "hfgate: %s\n", printable(fmt.Sprintf(format, args...)))
}

// humanBytes formats a byte count in decimal units, as the Hub's web pages
// and the hf CLI show file sizes: 4.68 GB, 812 MB, 1.05 kB.
func humanBytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	units := []string{"kB", "MB", "GB", "TB", "PB"}
	v := float64(n)
	i := -1
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f %s", v, units[i])
	case v >= 10:
		return fmt.Sprintf("%.1f %s", v, units[i])
	default:
		return fmt.Sprintf("%.2f %s", v, units[i])
	}
}

// parseBytes parses sizes such as "16GiB", "16 GB", "512M", "1.5T" or a plain
// number of bytes. Binary (KiB, MiB, GiB, TiB) and decimal (kB, MB, GB, TB)
// units are both accepted; a bare letter (K, M, G, T) is binary, as in most
// memory settings.
func parseBytes(s string) (int64, error) {
	in := strings.TrimSpace(s)
	i := strings.IndexFunc(in, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	num, unit := in, ""
	if i >= 0 {
		num, unit = in[:i], strings.TrimSpace(in[i:])
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || num == "" {
		return 0, hfgate.Errorf(hfgate.EINVALID, "%q is not a size; use a number with a unit, such as 16GiB or 8GB", s)
	}
	mult, ok := map[string]float64{
		"": 1, "b": 1,
		"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
		"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
		"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
		"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
	}[strings.ToLower(unit)]
	if !ok {
		return 0, hfgate.Errorf(hfgate.EINVALID, "%q has an unknown unit %q; use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB", s, unit)
	}
	b := v * mult
	if b > math.MaxInt64 {
		return 0, hfgate.Errorf(hfgate.EINVALID, "%q is too large", s)
	}
	return int64(b), nil
}

// humanCount formats a count compactly, as the Hub does: 950, 12.3k, 4.1M.
func humanCount(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e3)) + "k"
	case n < 1_000_000_000:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e6)) + "M"
	default:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1e9)) + "B"
	}
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// humanAge formats how long ago t was: "just now", "5 minutes ago",
// "3 days ago", "2 years ago". A zero t is "".
func humanAge(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit + " ago"
		}
		return strconv.Itoa(n) + " " + unit + "s ago"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour")
	case d < 30*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d < 365*24*time.Hour:
		return plural(int(d/(30*24*time.Hour)), "month")
	default:
		return plural(int(d/(365*24*time.Hour)), "year")
	}
}
