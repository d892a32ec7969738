// Command gendigests writes the digest table of hubsim's built-in catalog:
// the SHA-256 of every generated file, so that hubsim never hashes them at
// start. Run it through "go generate ./hubsim" after changing
// builtin_catalog.json or a content generator; TestBuiltinDigestsFresh fails
// until you do.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hfgate/hfgate/hubsim"
)

func main() {
	out := flag.String("o", "builtin_digests.json", "output file")
	workers := flag.Int("workers", 0, "files hashed in parallel (0: GOMAXPROCS)")
	flag.Parse()
	if err := run(*out, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "gendigests:", err)
		os.Exit(1)
	}
}

func run(out string, workers int) error {
	cat, err := hubsim.BuiltinCatalog()
	if err != nil {
		return err
	}
	start := time.Now()
	var total int64
	var files int
	var buf bytes.Buffer
	err = cat.WriteDigestTable(&buf, workers, func(path string, size int64) {
		files++
		total += size
		fmt.Fprintf(os.Stderr, "%6.1fs %8.2f GB  %s\n", time.Since(start).Seconds(), float64(size)/1e9, path)
	})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".digests-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gendigests: %d files, %.1f GB hashed in %s; wrote %s\n",
		files, float64(total)/1e9, time.Since(start).Round(time.Second), out)
	return nil
}
