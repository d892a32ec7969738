package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1.00 kB", 1536: "1.54 kB", 4_683_073_536: "4.68 GB",
		812_000_000: "812 MB", 15_700_000_000: "15.7 GB", 2 << 30: "2.15 GB",
	} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d)=%q, want %q", n, got, want)
		}
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"16GiB": 16 << 30, "16 GiB": 16 << 30, "16G": 16 << 30, "16gb": 16e9, "512M": 512 << 20,
		"1.5TiB": 3 << 39, "1024": 1024, "8 GB": 8e9, "100b": 100,
	} {
		got, err := parseBytes(in)
		if err != nil || got != want {
			t.Errorf("parseBytes(%q)=%d,%v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "GiB", "-1G", "12 parsecs", "1.2.3G"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q): want an error", in)
		}
	}
}

func TestHumanCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 950: "950", 1000: "1k", 12_345: "12.3k", 4_100_000: "4.1M", 2_000_000_000: "2B"} {
		if got := humanCount(n); got != want {
			t.Errorf("humanCount(%d)=%q, want %q", n, got, want)
		}
	}
}

func TestHumanAge(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 5 * time.Minute: "5 minutes ago", time.Hour: "1 hour ago",
		3 * 24 * time.Hour: "3 days ago", 65 * 24 * time.Hour: "2 months ago", 800 * 24 * time.Hour: "2 years ago",
	} {
		if got := humanAge(now.Add(-d), now); got != want {
			t.Errorf("humanAge(-%v)=%q, want %q", d, got, want)
		}
	}
	if got := humanAge(time.Time{}, now); got != "" {
		t.Errorf("humanAge(zero)=%q", got)
	}
}

func TestTableAligns(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b, "NAME", "SIZE")
	tb.Row("a-long-name", "1 B")
	tb.Row("x\ty", "2 B")
	if err := tb.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NAME         SIZE\na-long-name  1 B\nx y          2 B\n"
	if b.String() != want {
		t.Fatalf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestTableRowStripsControlCharacters(t *testing.T) {
	var b strings.Builder
	tb := newTable(&b)
	tb.Row("tag\x1b]52;c;ZXZpbA==\x07", "a\tb\nc", "\u009bJ", "ünïcode ok")
	tb.Flush()
	got := b.String()
	if strings.ContainsAny(got, "\x1b\x07\u009b\t") {
		t.Fatalf("row kept control characters: %q", got)
	}
	for _, want := range []string{"tag?]52;c;ZXZpbA==?", "a b c", "?J", "ünïcode ok"} {
		if !strings.Contains(got, want) {
			t.Errorf("row %q lacks %q", got, want)
		}
	}
}
