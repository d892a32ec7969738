package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vbauerster/mpb/v8/decor"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// TestDownloadJSONCorruptRetry: a byte corrupted once is fetched again, and
// the --json retry line says why without asking for a rerun.
func TestDownloadJSONCorruptRetry(t *testing.T) {
	sim := hubsimtest.Start(t, hubsim.Options{})
	if err := sim.SetFaults(hubsim.FaultRule{Host: hubsim.HostCDN, Corrupt: true, CorruptAt: 5, Times: 1}); err != nil {
		t.Fatal(err)
	}
	const file = "tiny-llama-Q8_0.gguf"
	code, out, errOut := runDownload(t, sim, t.TempDir(), hubsim.RepoTiny, file, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var retries []jsonEvent
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var e jsonEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		if e.Kind == "retry" {
			retries = append(retries, e)
		}
	}
	if len(retries) != 1 {
		t.Fatalf("%d retry lines, want 1:\n%s", len(retries), out)
	}
	r := retries[0]
	if r.Reason != string(download.RetryCorrupt) || r.Code != hfgate.EINTEGRITY || r.File != file || r.Done != 0 {
		t.Errorf("retry line %+v, want reason corrupt, code EINTEGRITY, done 0", r)
	}
	if !strings.Contains(r.Error, "downloading the file again") || strings.Contains(out, "run the same command again") {
		t.Errorf("retry error %q: want it to say the file is downloaded again, and no rerun asked for", r.Error)
	}
}

// TestBarsCorruptRetry: a bar does not finish at the last byte, shows the
// corrupt retry, starts over and finishes once the file is done.
func TestBarsCorruptRetry(t *testing.T) {
	p := newBarProgress(&bytes.Buffer{})
	const name, size = "m.gguf", 1000
	p.Report(download.Event{Kind: download.FileStart, Path: name, Size: size})
	p.Report(download.Event{Kind: download.FileProgress, Path: name, Size: size, Done: size})
	p.Report(download.Event{Kind: download.FileVerify, Path: name, Size: size, Done: size})
	fb := p.bars[name]
	if fb.bar.Completed() {
		t.Fatal("the bar finished before the file was verified")
	}
	p.Report(download.Event{Kind: download.FileRetry, Reason: download.RetryCorrupt, Path: name, Size: size,
		Err: hfgate.Errorf(hfgate.EINTEGRITY, "downloaded data failed verification: …; downloading the file again")})
	if got, want := fb.info(decor.Statistics{}), "corrupted in transit, downloading it again"; got != want {
		t.Errorf("status after a corrupt retry %q, want %q", got, want)
	}
	if got := fb.bar.Current(); got != 0 {
		t.Errorf("bar at %d after a corrupt retry, want 0", got)
	}
	p.Report(download.Event{Kind: download.FileProgress, Path: name, Size: size, Done: 400})
	if got := fb.bar.Current(); got != 400 {
		t.Errorf("bar at %d, want 400: it must follow the new fetch", got)
	}
	if got := fb.info(decor.Statistics{}); !strings.HasSuffix(got, "corrupted in transit, downloading it again") {
		t.Errorf("status while fetching again %q: want it to still say why", got)
	}
	p.Report(download.Event{Kind: download.FileProgress, Path: name, Size: size, Done: size})
	p.Report(download.Event{Kind: download.FileDone, Path: name, Size: size, Done: size, LocalPath: "/x/" + name})
	if !fb.bar.Completed() {
		t.Error("the bar did not finish when the file was done")
	}
	if got := fb.info(decor.Statistics{}); got != "done" {
		t.Errorf("status at the end %q, want done", got)
	}
	p.finish()
}

// TestBarsUnknownSize: a file whose size is not known (a missing file)
// shows no made-up total, and an empty file shows 0 B of 0 B.
func TestBarsUnknownSize(t *testing.T) {
	p := newBarProgress(&bytes.Buffer{})
	p.Report(download.Event{Kind: download.FileStart, Path: "nope.gguf"})
	p.Report(download.Event{Kind: download.FileError, Path: "nope.gguf", Err: hfgate.Errorf(hfgate.ENOTFOUND, "not there")})
	if got := p.bars["nope.gguf"].counts(decor.Statistics{Total: 1}); got != "0 B" {
		t.Errorf("missing file: %q, want 0 B", got)
	}
	p.Report(download.Event{Kind: download.FileStart, Path: "empty"})
	p.Report(download.Event{Kind: download.FileDone, Path: "empty", LocalPath: "/x/empty"})
	if got := p.bars["empty"].counts(decor.Statistics{Current: 1, Total: 1}); got != "0 B / 0 B" {
		t.Errorf("empty file: %q, want 0 B / 0 B", got)
	}
	p.finish()
}
