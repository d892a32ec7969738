package hfcache

import "strings"

// Names of the files of a download in progress, beside the blob (or, in a
// LocalDir, in its download folder). huggingface_hub writes
// <name>.incomplete and resumes it from its length, so that file only ever
// holds a contiguous prefix of the content. The parts of a parallel download
// that arrive out of order live in <name>.hfgate-parts, at their offsets,
// described by <name>.hfgate-journal: no other tool opens those, and their
// bytes join the .incomplete file only once it reaches them.
const (
	IncompleteSuffix = ".incomplete"
	PartsSuffix      = ".hfgate-parts"
	JournalSuffix    = ".hfgate-journal"
	// legacyJournalSuffix is the journal of earlier hfgate builds, beside an
	// .incomplete file preallocated to full size (download migrates it).
	legacyJournalSuffix = ".incomplete.parts"
)

// IsPartial reports whether a file name in blobs/ (or a LocalDir's download
// folder) belongs to an unfinished download, of any tool.
func IsPartial(name string) bool {
	for _, s := range []string{IncompleteSuffix, PartsSuffix, JournalSuffix, legacyJournalSuffix} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}
