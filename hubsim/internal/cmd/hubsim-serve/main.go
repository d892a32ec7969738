// Command hubsim-serve runs hubsim as a process until interrupted, for
// benchmarks and manual poking before "hfgate hubsim" is wired:
//
//	go run ./hubsim/internal/cmd/hubsim-serve -hub 127.0.0.1:8080 -cdn 127.0.0.1:8081
//	curl -s -o /dev/null -w '%{speed_download}\n' -L http://127.0.0.1:8080/hubsim/benchmark/resolve/main/blob-2GiB.bin
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/hfgate/hfgate/hubsim"
)

func main() {
	hubAddr := flag.String("hub", "127.0.0.1:0", "address of the Hub host")
	cdnAddr := flag.String("cdn", "127.0.0.1:0", "address of the CDN host")
	catalog := flag.String("catalog", "", "catalog JSON file (default: the built-in catalog)")
	flag.Parse()
	if err := run(*hubAddr, *cdnAddr, *catalog); err != nil {
		fmt.Fprintln(os.Stderr, "hubsim-serve:", err)
		os.Exit(1)
	}
}

func run(hubAddr, cdnAddr, catalogPath string) error {
	var opts hubsim.Options
	if catalogPath != "" {
		f, err := os.Open(catalogPath)
		if err != nil {
			return err
		}
		opts.Catalog, err = hubsim.LoadCatalog(f)
		f.Close()
		if err != nil {
			return err
		}
	}
	s, err := hubsim.New(opts)
	if err != nil {
		return err
	}
	if err := s.Start(hubAddr, cdnAddr); err != nil {
		return err
	}
	fmt.Printf("hub %s\ncdn %s\n", s.URL(), s.CDNURL())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	<-ctx.Done()
	return s.Shutdown(context.Background())
}
