package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/hfgate/hfgate/download"
)

// barProgress draws one bar per file on a terminal: name, bytes, percent,
// speed and time left; a finished bar says "done", "cached" or the error.
type barProgress struct {
	p      *mpb.Progress
	speeds *speeds

	mu   sync.Mutex
	bars map[string]*fileBar
}

type fileBar struct {
	bar *mpb.Bar

	mu     sync.Mutex
	size   int64  // -1 while not known (a missing file, the cache offline)
	status string // shown instead of speed and time left once set
	note   string // shown after speed and time left: why the file is fetched again
	bps    float64
	eta    time.Duration
}

// termWidth returns the columns of the terminal w, or 0 when unknown (a
// pseudo-terminal nobody sized), where bars would not show.
func termWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

func newBarProgress(w io.Writer) *barProgress {
	return &barProgress{
		p:      mpb.New(mpb.WithOutput(w), mpb.WithWidth(100), mpb.WithRefreshRate(150*time.Millisecond)),
		speeds: newSpeeds(),
		bars:   map[string]*fileBar{},
	}
}

func (p *barProgress) Report(e download.Event) {
	var bps float64
	var eta time.Duration
	if e.Kind == download.FileProgress {
		bps, eta = p.speeds.observe(e)
	}
	p.mu.Lock()
	fb := p.bars[e.Path]
	if fb == nil {
		fb = p.newBar(e.Path, e.Size)
		p.bars[e.Path] = fb
	}
	p.mu.Unlock()
	// Bar methods wait for mpb's render goroutine, which calls info, which
	// takes fb.mu: never call them holding a lock.
	switch e.Kind {
	case download.FileWaiting:
		fb.set("waiting for another hfgate", 0, 0)
	case download.FileRetry:
		fb.set(printable(retryStatus(e)), 0, 0)
		if e.Reason == download.RetryCorrupt {
			fb.mu.Lock()
			fb.note = retryStatus(e) // while the bar fills again
			fb.mu.Unlock()
			fb.bar.SetCurrent(e.Done) // back to the start
		}
	case download.FileVerify:
		fb.set("verifying", 0, 0)
	case download.FileProgress:
		fb.set("", bps, eta)
		fb.bar.SetCurrent(e.Done)
	case download.FileDone:
		fb.set("done", 0, 0)
		if e.Cached {
			fb.set("cached", 0, 0)
		}
		fb.mu.Lock()
		fb.size = e.Size
		fb.mu.Unlock()
		fb.bar.SetCurrent(max(e.Size, 1))
		fb.bar.SetTotal(-1, true)
	case download.FileError:
		fb.set("failed: "+printable(cliMessage(e.Err)), 0, 0)
		fb.bar.Abort(false)
	}
}

func (fb *fileBar) set(status string, bps float64, eta time.Duration) {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	fb.status, fb.bps, fb.eta = status, bps, eta
}

// info is the text after the bar: speed and time left, and the note; or
// the status.
func (fb *fileBar) info(decor.Statistics) string {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if fb.status != "" {
		return fb.status
	}
	var parts []string
	if fb.bps > 0 {
		parts = append(parts, humanBytes(int64(fb.bps))+"/s")
	}
	if fb.bps > 0 && fb.eta > 0 {
		parts = append(parts, fb.eta.Round(time.Second).String()+" left")
	}
	if fb.note != "" {
		parts = append(parts, fb.note)
	}
	return strings.Join(parts, ", ")
}

// counts is the bytes done of the file's size; the bar's own total is at
// least 1, so it is not shown for a size not known or 0.
func (fb *fileBar) counts(s decor.Statistics) string {
	fb.mu.Lock()
	defer fb.mu.Unlock()
	if fb.size < 0 {
		return humanBytes(s.Current)
	}
	return fmt.Sprintf("%s / %s", humanBytes(min(s.Current, fb.size)), humanBytes(fb.size))
}

// newBar adds a bar. It is made with no total, then given one, so that
// mpb does not finish it at the last byte: a file is complete only once
// verified (FileDone), and one that fails verification starts over.
func (p *barProgress) newBar(name string, size int64) *fileBar {
	fb := &fileBar{size: size}
	if size <= 0 {
		fb.size = -1
	}
	fb.bar = p.p.AddBar(0,
		mpb.PrependDecorators(decor.Name(printable(name), decor.WCSyncSpaceR), decor.Any(fb.counts, decor.WCSyncSpace)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Any(fb.info, decor.WCSyncSpace)),
	)
	fb.bar.SetTotal(max(size, 1), false)
	return fb
}

func (p *barProgress) finish() {
	p.mu.Lock()
	bars := make([]*fileBar, 0, len(p.bars))
	for _, fb := range p.bars {
		bars = append(bars, fb)
	}
	p.mu.Unlock()
	for _, fb := range bars {
		if !fb.bar.Completed() && !fb.bar.Aborted() {
			fb.bar.Abort(false)
		}
	}
	p.p.Wait()
}

func (p *barProgress) result([]string, []download.Result, []pinOutput, error) error { return nil }
