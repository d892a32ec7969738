package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
)

// progress renders the events of "hfgate download": bars on a terminal
// (progress_bars.go), plain lines when stderr is not one, JSON lines with
// --json. Report is called from many goroutines at once.
type progress interface {
	download.Reporter
	finish() // after Download returned: flush and stop rendering
	// result writes the final JSON object (--json only): the downloaded
	// files and, with --ipfs, the pinned ones.
	result(paths []string, res []download.Result, pins []pinOutput, err error) error
}

func (a *app) newProgress(asJSON bool) progress {
	switch {
	case asJSON:
		return &jsonProgress{w: a.io.Out, speeds: newSpeeds()}
	case isTerminal(a.io.Err) && termWidth(a.io.Err) >= 40:
		return newBarProgress(a.io.Err)
	}
	return &lineProgress{w: a.io.Err, speeds: newSpeeds(), files: map[string]*lineState{}}
}

// speeds measures each file's transfer rate from its progress events:
// bytes fetched in this run (resumed bytes excluded) over the time since
// the first progress event.
type speeds struct {
	mu    sync.Mutex
	now   func() time.Time
	start map[string]time.Time
	base  map[string]int64
}

func newSpeeds() *speeds {
	return &speeds{now: time.Now, start: map[string]time.Time{}, base: map[string]int64{}}
}

// observe returns the bytes per second of e's file and the time left,
// both 0 when unknown.
func (s *speeds) observe(e download.Event) (bps float64, eta time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	start, ok := s.start[e.Path]
	if !ok || e.Done < s.base[e.Path] { // first progress, or a restart from 0
		s.start[e.Path], s.base[e.Path] = now, e.Done
		return 0, 0
	}
	elapsed := now.Sub(start).Seconds()
	if elapsed <= 0 {
		return 0, 0
	}
	bps = float64(e.Done-s.base[e.Path]) / elapsed
	if bps > 0 && e.Size > e.Done {
		eta = time.Duration(float64(e.Size-e.Done) / bps * float64(time.Second))
	}
	return bps, eta
}

// retryStatus is what a FileRetry event means in a few words, for the
// bars and before a transient error's message on a plain line.
func retryStatus(e download.Event) string {
	if e.Reason == download.RetryCorrupt {
		return "corrupted in transit, downloading it again"
	}
	return fmt.Sprintf("retrying in %s", e.Wait.Round(time.Millisecond))
}

// jsonEvent is one line of "hfgate download --json".
type jsonEvent struct {
	Kind           string  `json:"kind"`             // start waiting progress retry verify done error result
	Reason         string  `json:"reason,omitempty"` // retry: "transient" or "corrupt"
	File           string  `json:"file,omitempty"`
	Size           int64   `json:"size"`
	Done           int64   `json:"done"`
	Resumed        int64   `json:"resumed,omitempty"`
	BytesPerSecond float64 `json:"bytes_per_second,omitempty"`
	Path           string  `json:"path,omitempty"`
	Cached         bool    `json:"cached,omitempty"`
	WaitSeconds    float64 `json:"wait_seconds,omitempty"`
	Error          string  `json:"error,omitempty"`
	Code           string  `json:"code,omitempty"`
	CID            string  `json:"cid,omitempty"` // ipfs_done
	Action         string  `json:"action,omitempty"`
	// result only
	Paths []string    `json:"paths,omitempty"`
	Files []string    `json:"files,omitempty"`
	Pins  []pinOutput `json:"pins,omitempty"`
}

type jsonProgress struct {
	mu     sync.Mutex
	w      io.Writer
	speeds *speeds
}

func (p *jsonProgress) Report(e download.Event) {
	je := jsonEvent{Kind: string(e.Kind), Reason: string(e.Reason), File: e.Path, Size: e.Size, Done: e.Done, Resumed: e.Resumed,
		Path: e.LocalPath, Cached: e.Cached, WaitSeconds: e.Wait.Seconds()}
	if e.Kind == download.FileProgress {
		je.BytesPerSecond, _ = p.speeds.observe(e)
	}
	if e.Err != nil {
		je.Error, je.Code, je.Action = cliMessage(e.Err), hfgate.ErrorCode(e.Err), hfgate.ErrorAction(e.Err)
	}
	p.write(je)
}

func (p *jsonProgress) write(je jsonEvent) error {
	b, err := json.Marshal(je)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = p.w.Write(append(b, '\n'))
	return err
}

func (p *jsonProgress) finish() {}

func (p *jsonProgress) result(paths []string, res []download.Result, pins []pinOutput, err error) error {
	je := jsonEvent{Kind: "result", Paths: paths, Files: []string{}, Pins: pins}
	for _, r := range res {
		je.Files = append(je.Files, r.File)
		je.Size += r.Size
	}
	if res == nil {
		for _, p := range pins {
			je.Size += p.Size
		}
	}
	je.Done = je.Size
	if err != nil {
		je.Error, je.Code, je.Action = cliMessage(err), hfgate.ErrorCode(err), hfgate.ErrorAction(err)
	}
	return p.write(je)
}

// lineProgress prints plain lines: a file's start, every 10% or 5
// seconds, and its end.
type lineProgress struct {
	mu     sync.Mutex
	w      io.Writer
	speeds *speeds
	files  map[string]*lineState
}

type lineState struct {
	pct  int64
	last time.Time
}

const lineEvery = 5 * time.Second

func (p *lineProgress) Report(e download.Event) {
	bps, eta := 0.0, time.Duration(0)
	if e.Kind == download.FileProgress {
		bps, eta = p.speeds.observe(e)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.files[e.Path]
	if st == nil {
		st = &lineState{last: time.Now()}
		p.files[e.Path] = st
	}
	name := printable(e.Path)
	switch e.Kind {
	case download.FileStart:
		if e.Size > 0 { // 0: not known yet (a missing file, the cache offline)
			fmt.Fprintf(p.w, "%s: %s\n", name, humanBytes(e.Size))
		}
	case download.FileWaiting:
		fmt.Fprintf(p.w, "%s: waiting for another hfgate downloading the same file\n", name)
	case download.FileRetry:
		if e.Reason == download.RetryCorrupt { // the message says it is downloaded again
			fmt.Fprintf(p.w, "%s: %s\n", name, printable(hfgate.ErrorMessage(e.Err)))
			return
		}
		fmt.Fprintf(p.w, "%s: %s: %s\n", name, retryStatus(e), printable(hfgate.ErrorMessage(e.Err)))
	case download.FileProgress:
		pct := int64(100)
		if e.Size > 0 {
			pct = e.Done * 100 / e.Size
		}
		if pct/10 == st.pct/10 && time.Since(st.last) < lineEvery {
			return
		}
		st.pct, st.last = pct, time.Now()
		line := fmt.Sprintf("%s: %d%% %s of %s", name, pct, humanBytes(e.Done), humanBytes(e.Size))
		if bps > 0 {
			line += fmt.Sprintf(", %s/s", humanBytes(int64(bps)))
		}
		if eta > 0 {
			line += fmt.Sprintf(", %s left", eta.Round(time.Second))
		}
		fmt.Fprintln(p.w, line)
	case download.FileDone:
		what := "done"
		if e.Cached {
			what = "already in the cache"
		}
		fmt.Fprintf(p.w, "%s: %s: %s\n", name, what, printable(e.LocalPath))
	case download.FileError:
		fmt.Fprintf(p.w, "%s: failed: %s\n", name, printable(cliMessage(e.Err)))
	}
}

func (p *lineProgress) finish() {}

func (p *lineProgress) result([]string, []download.Result, []pinOutput, error) error { return nil }
