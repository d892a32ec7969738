package gguf

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hfgate/hfgate"
)

// Sentinel causes, for errors.Is on the errors Read returns. A truncated
// file is reported with io.ErrUnexpectedEOF.
var (
	// ErrNotGGUF means the file does not start with the GGUF magic.
	ErrNotGGUF = errors.New("gguf: bad magic")
	// ErrVersion means the file uses a GGUF version this package cannot read.
	ErrVersion = errors.New("gguf: unsupported version")
	// ErrCorrupt means a header field has an impossible value.
	ErrCorrupt = errors.New("gguf: corrupt header")
	// ErrLimit means the header exceeds one of the Options limits.
	ErrLimit = errors.New("gguf: header exceeds a limit")
)

// corrupt returns an EINVALID error for an impossible field at offset off.
func corrupt(off int64, format string, args ...any) error {
	return hfgate.WrapError(hfgate.EINVALID, ErrCorrupt,
		"corrupt GGUF header at byte %d: %s; the file is damaged or not a GGUF model, re-download it",
		off, fmt.Sprintf(format, args...))
}

// overLimit returns an EINVALID error for a header beyond the Options limits.
func overLimit(off int64, format string, args ...any) error {
	return hfgate.WrapError(hfgate.EINVALID, ErrLimit,
		"GGUF header at byte %d: %s; refusing to read further (raise the limit in gguf.Options if the file is genuine)",
		off, fmt.Sprintf(format, args...))
}

// truncated returns an EINVALID error wrapping io.ErrUnexpectedEOF for a
// file that ends at byte end, inside the header.
func truncated(end int64) error {
	return hfgate.WrapError(hfgate.EINVALID, io.ErrUnexpectedEOF,
		"GGUF header is truncated: the file ends at byte %d, inside the header; the file is incomplete, download it again", end)
}

// readerError reports a failure of the underlying io.ReaderAt. An error that
// already carries an *hfgate.Error (say, from an HTTP reader) is returned
// unchanged, because its code and message already tell the user what to do;
// any other error is wrapped, keeping it for errors.Is/As.
func readerError(ctx context.Context, off int64, err error) error {
	var he *hfgate.Error
	switch {
	case errors.As(err, &he):
		return err
	case errors.Is(err, context.Canceled) || ctx.Err() == context.Canceled:
		return hfgate.WrapError(hfgate.ECANCELED, err, "reading the GGUF header was canceled")
	default:
		return hfgate.WrapError(hfgate.EUNAVAILABLE, err,
			"could not read the GGUF header at byte %d; check the connection or the file and retry", off)
	}
}
