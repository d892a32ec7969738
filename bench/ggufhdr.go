package main

import (
	"context"
	"fmt"
	"os/exec"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/bench/internal/report"
	"github.com/hfgate/hfgate/gguf"
	"github.com/hfgate/hfgate/hfhub"
)

// ggufHeader is scenario 6: the bytes hubsim serves while the GGUF header
// of the 7B Q4_K_M file is read, against the file's size. With "hfgate
// files" it is the real command (which reads every GGUF header of the repo;
// all of its bytes count against the one file); without it, the library
// path that command uses, in this process: hfhub.Client.ReaderAt + gguf.Read.
func (b *bench) ggufHeader(ctx context.Context) []row {
	const name = "GGUF header of 7B Q4_K_M: bytes served / file size"
	size := b.lfs[ggufRepo+"/"+ggufFile].Size
	mode := b.cfg.gguf
	if mode == "auto" {
		mode = "readerat"
		if exec.Command(b.bin, "files", "--help").Run() == nil {
			mode = "files"
		}
	}
	if err := b.hs.reset(ctx); err != nil {
		return []row{failed("6", name, err)}
	}
	var how string
	switch mode {
	case "files":
		home := b.freshDir("hf-home")
		defer dropDir(home)
		if r := b.exec(ctx, proc{argv: []string{b.bin, "files", ggufRepo}, env: b.hfgateEnv(home)}); r.err != nil {
			return []row{failed("6", name, r.err)}
		}
		how = "hfgate files " + ggufRepo + " (all of its GGUF headers)"
	case "readerat":
		if err := b.readHeader(ctx); err != nil {
			return []row{failed("6", name, err)}
		}
		how = `in-process hfhub.Client.FileMetadata + ReaderAt + gguf.Read ("hfgate files" not in this build)`
	default:
		return []row{failed("6", name, fmt.Errorf("unknown -gguf mode %q", mode))}
	}
	c, err := b.hs.counters(ctx)
	if err != nil {
		return []row{failed("6", name, err)}
	}
	var served int64
	for _, h := range c.Hosts {
		served += h.Bytes
	}
	pct := 100 * float64(served) / float64(size)
	return []row{{id: "6", name: name, hfgate: mib(served), ratio: fmt.Sprintf("%.3f%%", pct), target: "< 1%",
		status: report.Judge(pct < 1),
		note: fmt.Sprintf("%s; file %s; %d CDN requests, %s from the CDN, %s from the Hub API (both counted)",
			how, mib(size), c.Hosts["cdn"].Requests, mib(c.Hosts["cdn"].Bytes), mib(c.Hosts["hub"].Bytes))}}
}

// readHeader reads the GGUF header of the 7B Q4_K_M file through hubsim
// with the library code, as "hfgate files" does.
func (b *bench) readHeader(ctx context.Context) error {
	b.logf("# in-process: hfhub.Client{Endpoint: %q}.FileMetadata(%s, %s) + ReaderAt + gguf.Read", b.hs.hub, ggufRepo, ggufFile)
	repo, err := hfgate.ParseRepoID(ggufRepo)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c := &hfhub.Client{Endpoint: b.hs.hub, HTTPClient: adminClient}
	meta, err := c.FileMetadata(ctx, repo, "", ggufFile)
	if err != nil {
		return err
	}
	f, err := gguf.Read(ctx, c.ReaderAt(ctx, meta), meta.Size)
	if err != nil {
		return err
	}
	if f.Quantization() != "Q4_K_M" {
		return fmt.Errorf("header read, but quantization is %q, want Q4_K_M", f.Quantization())
	}
	return nil
}
