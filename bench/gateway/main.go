// Command gateway measures what issue 14 asks of the gateway's proxy, side
// by side in one run, with hubsim as the upstream in a process of its own:
// metadata requests per second at 8 connections straight to hubsim,
// through the gateway (hfgate serve), and through oauth2-proxy in front of
// hubsim; the latency each adds at the median; a 2 GiB download through
// the gateway against the same download straight from hubsim; and whether
// the gateway's audit log holds one row per request made.
//
//	go run ./bench/gateway            # about 3 minutes
//	go run ./bench/gateway --quick    # one round
//
// It is a benchmark, not a test: a MISS is a figure to look into. It needs
// oauth2-proxy v7.15.6, built once (go install, several minutes) into
// ${XDG_CACHE_HOME:-~/.cache}/hfgate-test/bin unless --oauth2-proxy names
// a binary. See bench/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// config holds the command-line settings of one run.
type config struct {
	rounds int
	dur    time.Duration
	conns  int
	o2p    string
	db     string
	keep   bool
	quick  bool
	only   string
}

func main() {
	var cfg config
	flag.IntVar(&cfg.rounds, "rounds", 3, "rounds of the metadata load (each target in turn); medians are reported")
	flag.DurationVar(&cfg.dur, "d", 5*time.Second, "length of one target's load in one round")
	flag.IntVar(&cfg.conns, "c", 8, "connections of the metadata load")
	flag.StringVar(&cfg.o2p, "oauth2-proxy", "", "the oauth2-proxy v7.15.6 binary (default: the cached build, made when missing)")
	flag.StringVar(&cfg.db, "database", "", "the gateway's database (default: a SQLite file in the work directory; postgres://... for PostgreSQL)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (logs of every server)")
	flag.BoolVar(&cfg.quick, "quick", false, "one round, one download each")
	flag.StringVar(&cfg.only, "only", "mdlc", "parts to run: m (metadata load), d (2 GiB download), l (latency at one connection), c (the file cache)")
	flag.Parse()
	if cfg.quick {
		cfg.rounds = 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench/gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	b, err := newBench(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.close()
	var rows []row
	if strings.Contains(cfg.only, "m") {
		rows = append(rows, b.metadata(ctx)...)
	}
	if strings.Contains(cfg.only, "l") {
		rows = append(rows, b.latency(ctx)...)
	}
	if strings.Contains(cfg.only, "d") {
		rows = append(rows, b.download(ctx)...)
	}
	if strings.Contains(cfg.only, "c") {
		rows = append(rows, b.cacheRows(ctx)...)
	}
	rows = append(rows, b.auditRows(ctx)...)
	b.printTable(rows)
	return nil
}

// logf prints a line of the run's log.
func (b *bench) logf(format string, args ...any) { fmt.Printf(format+"\n", args...) }

// machine describes where the run happens.
func machine() string {
	return fmt.Sprintf("%s/%s, %d CPUs, %s; load average %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), report.LoadAvg())
}

// cacheBin is where built benchmark tools are kept between runs.
func cacheBin() string {
	dir := os.Getenv("XDG_CACHE_HOME")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache")
	}
	return filepath.Join(dir, "hfgate-test", "bin")
}
