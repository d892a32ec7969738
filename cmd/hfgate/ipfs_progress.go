package main

import (
	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/download"
	"github.com/hfgate/hfgate/ipfs"
)

// pinReporter renders the events of adding files to IPFS with the
// download renderers: with --json as JSON lines of kind ipfs_start,
// ipfs_progress, ipfs_done and ipfs_error; otherwise as one more bar or
// set of lines per file, named "FILE → IPFS".
type pinReporter struct{ prog progress }

func (r pinReporter) Report(e ipfs.Event) {
	if jp, ok := r.prog.(*jsonProgress); ok {
		je := jsonEvent{Kind: "ipfs_" + string(e.Kind), File: e.File, Size: e.Size, Done: e.Done, CID: e.CID, Cached: e.Cached}
		if e.Err != nil {
			je.Error, je.Code = hfgate.ErrorMessage(e.Err), hfgate.ErrorCode(e.Err)
		}
		jp.write(je)
		return
	}
	de := download.Event{Path: e.File + " → IPFS", Size: e.Size, Done: e.Done, LocalPath: e.CID, Err: e.Err}
	switch e.Kind {
	case ipfs.AddStart:
		de.Kind = download.FileStart
	case ipfs.AddProgress:
		de.Kind = download.FileProgress
	case ipfs.AddDone:
		de.Kind = download.FileDone
		if e.Cached {
			de.LocalPath += " (already pinned)"
		}
	case ipfs.AddError:
		de.Kind = download.FileError
	}
	r.prog.Report(de)
}
