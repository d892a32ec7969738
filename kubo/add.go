package kubo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path"
	"time"
	"unicode/utf8"

	"github.com/hfgate/hfgate"
)

// chunkSize is how much of the file is read and sent at a time: Kubo's
// default UnixFS chunk, so memory stays constant whatever the file size.
const chunkSize = 256 << 10

// maxPinName is the longest pin name Kubo accepts, in bytes.
const maxPinName = 255

// Add sends size bytes read from r to the node as one file, named by the
// last element of name, and returns its CID: /api/v0/add with
// cid-version=1, raw-leaves=true and pin=true, the pin named name (cut to
// Kubo's 255 bytes). The CID also depends on the node's import settings
// (chunker, hash function), exactly as for "ipfs add --cid-version=1
// --raw-leaves" on that node.
//
// The file is streamed as multipart/form-data, chunkSize bytes at a time;
// progress, if not nil, is called from another goroutine after each chunk
// the connection accepted, with the bytes sent so far. If r fails, or
// holds more or fewer than size bytes, the request is broken off before
// the multipart body ends, so the node never completes the add and pins
// nothing, and Add returns r's error (or one with code EINVALID for a size
// mismatch). An add that makes no progress for StallTimeout is abandoned
// with EUNAVAILABLE. Add returns after it stopped reading r.
func (c *Client) Add(ctx context.Context, name string, r io.Reader, size int64, progress func(sent int64)) (string, error) {
	if size < 0 {
		return "", hfgate.Errorf(hfgate.EINVALID, "negative size %d", size)
	}
	stall := positive(c.StallTimeout, DefaultStallTimeout)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	timer := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer timer.Stop()

	src := &upload{r: r, size: size, progress: progress, alive: func() { timer.Reset(stall) }}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(src.send(mw, path.Base(name)))
	}()
	cid, err := c.postAdd(ctx, pinName(name), mw.FormDataContentType(), pr)
	pr.CloseWithError(errors.New("add finished")) // the transport closed it already; make sure
	<-done
	switch {
	case src.err != nil:
		return "", src.err
	case err != nil:
		return "", err
	case !src.complete:
		return "", hfgate.Errorf(hfgate.EUNAVAILABLE, "the IPFS node at %s answered the add before receiving the whole file", c.API.Host)
	}
	return cid, nil
}

// postAdd makes the add request and reads the CID from its answer: one
// JSON object per added file and directory, the last one the root.
func (c *Client) postAdd(ctx context.Context, pin, contentType string, body io.Reader) (string, error) {
	args := url.Values{"cid-version": {"1"}, "raw-leaves": {"true"}, "pin": {"true"}, "progress": {"false"}}
	if pin != "" {
		args.Set("pin-name", pin)
	}
	resp, err := c.post(ctx, "add", args, body, contentType)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var cid string
	dec := json.NewDecoder(io.LimitReader(resp.Body, maxResponse))
	for {
		var ev struct{ Hash string }
		err := dec.Decode(&ev)
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", c.malformed("add", err)
		}
		if ev.Hash != "" {
			cid = ev.Hash
		}
	}
	if err := c.finish("add", resp); err != nil {
		return "", err
	}
	if !hfgate.IsCID(cid) {
		return "", c.malformed("add", fmt.Errorf("no CID in the answer (got %q)", clip(cid)))
	}
	return cid, nil
}

// upload writes the multipart body of an add.
type upload struct {
	r        io.Reader
	size     int64
	progress func(int64)
	alive    func() // called whenever the connection accepted bytes

	// Set by send; read after it returned.
	err      error // reading r failed, or r had the wrong size
	complete bool  // the whole body, closing boundary included, was written
}

// send writes the one file part and the closing boundary. Any error
// returned leaves the body without its end.
func (u *upload) send(mw *multipart.Writer, filename string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data",
		map[string]string{"name": "file", "filename": url.QueryEscape(filename)}))
	h.Set("Content-Type", "application/octet-stream")
	part, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	buf := make([]byte, chunkSize)
	var sent int64
	for {
		n, rerr := u.r.Read(buf)
		if sent+int64(n) > u.size {
			u.err = hfgate.Errorf(hfgate.EINVALID, "the file holds more than the %d bytes expected", u.size)
			return u.err
		}
		if n > 0 {
			if _, err := part.Write(buf[:n]); err != nil {
				return err // the request ended; postAdd says why
			}
			sent += int64(n)
			u.alive()
			if u.progress != nil {
				u.progress(sent)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			u.err = rerr
			if _, ok := errors.AsType[*hfgate.Error](rerr); !ok {
				u.err = hfgate.WrapError(hfgate.EINTERNAL, rerr, "cannot read the file to add")
			}
			return u.err
		}
	}
	if sent != u.size {
		u.err = hfgate.Errorf(hfgate.EINVALID, "the file holds %d bytes, not the %d expected", sent, u.size)
		return u.err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	u.complete = true
	u.alive() // now the node has until StallTimeout to answer
	return nil
}

// pinName cuts name to maxPinName bytes on a character boundary.
func pinName(name string) string {
	if len(name) <= maxPinName {
		return name
	}
	name = name[:maxPinName]
	for !utf8.ValidString(name) {
		name = name[:len(name)-1]
	}
	return name
}
