// Command bench measures the download figures issue #3 asks for: the real
// hfgate binary against real curl, side by side in one run, against hubsim
// started as its own process (`hfgate hubsim --json`). It prints every
// command it runs and a table of medians, ratios and targets.
//
//	go run ./bench            # about 5-10 minutes, 3 repetitions
//	go run ./bench --quick    # 1 repetition
//
// It is a benchmark, not a test: nothing in scripts/test runs it, and a MISS
// is a figure to look into, not a failure of the build. See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// config holds the command-line settings of one run.
type config struct {
	reps    int           // repetitions per scenario (median reported)
	budget  time.Duration // total time after which scenarios are skipped
	capBPS  int64         // scenario 2: bytes per second per connection
	latency time.Duration // scenario 3: added to every request
	keep    bool          // keep the work directory
	only    string        // run only these scenarios, e.g. "134"
	gguf    string        // scenario 6: "auto", "files" or "readerat"
	quick   bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.reps, "n", 3, "repetitions per scenario; the median is reported")
	flag.BoolVar(&cfg.quick, "quick", false, "one repetition of each scenario (about 2 minutes)")
	flag.DurationVar(&cfg.budget, "budget", 10*time.Minute, "start no scenario after this long; kill what runs at 1.5 times this")
	flag.Int64Var(&cfg.capBPS, "cap", 20_000_000, "scenario 2: bandwidth cap per connection, bytes/s")
	flag.DurationVar(&cfg.latency, "latency", 30*time.Millisecond, "scenario 3: latency added to every request")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary work directory (logs, hubsim output)")
	flag.StringVar(&cfg.only, "only", "123456", "scenarios to run, e.g. 14")
	flag.StringVar(&cfg.gguf, "gguf", "auto", `scenario 6: "files" (hfgate files), "readerat" (in-process hfhub.RangeReader + gguf.Read) or "auto"`)
	flag.Parse()
	if cfg.quick {
		cfg.reps = 1
	}
	if cfg.reps < 1 {
		fmt.Fprintln(os.Stderr, "bench: -n must be at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run builds hfgate, starts hubsim, runs the scenarios and prints the table.
// Past half the budget again, whatever still runs is killed.
func run(ctx context.Context, cfg config) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.budget*3/2)
	defer cancel()
	b, err := newBench(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.close()
	scenarios := []struct {
		id string
		fn func(context.Context) []row
	}{
		{"1", b.singleFile}, // scenario 5 (peak RSS) comes from the same runs
		{"2", b.bandwidthCap},
		{"3", b.smallFiles},
		{"4", b.killResume},
		{"6", b.ggufHeader},
	}
	var rows []row
	for _, s := range scenarios {
		if !contains(cfg.only, s.id) && !(s.id == "1" && contains(cfg.only, "5")) {
			continue
		}
		if ctx.Err() != nil || time.Now().After(b.deadline) {
			rows = append(rows, row{id: s.id, status: "SKIP", note: "time budget used up"})
			continue
		}
		b.logf("# scenario %s; load average %s", s.id, report.LoadAvg())
		rows = append(rows, s.fn(ctx)...)
	}
	b.printTable(rows)
	return nil
}

func contains(set, id string) bool {
	for _, c := range set {
		if string(c) == id {
			return true
		}
	}
	return false
}
