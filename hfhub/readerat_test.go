package hfhub

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

func TestRangeReader(t *testing.T) {
	cdn := cdnFake(t)
	c := newClient(cdn.URL, "")
	r := c.ReaderAt(context.Background(), &hfgate.FileMetadata{Location: cdn.URL + "/f", Size: int64(len(fileContent))})
	for _, tt := range []struct {
		off     int64
		n       int
		want    string
		wantErr error
	}{
		{0, 4, "0123", nil},
		{10, 6, "abcdef", nil},
		{30, 10, "uvwxyz", io.EOF},
		{36, 1, "", io.EOF},
		{0, 0, "", nil},
	} {
		p := make([]byte, tt.n)
		n, err := r.ReadAt(p, tt.off)
		if string(p[:n]) != tt.want || err != tt.wantErr {
			t.Errorf("ReadAt(%d bytes at %d) = %q, %v; want %q, %v", tt.n, tt.off, p[:n], err, tt.want, tt.wantErr)
		}
	}
	if r.Requests() != 3 || r.Fetched() != 16 {
		t.Errorf("Requests %d, Fetched %d; want 3 and 16", r.Requests(), r.Fetched())
	}
	if got := cdn.requests(); got[2].Range != "bytes=30-35" {
		t.Errorf("read past the end asked %q, want bytes=30-35", got[2].Range)
	}
}

func TestRangeReaderRetries(t *testing.T) {
	var calls atomic.Int64
	cdn := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1: // on a fresh connection, so net/http does not retry it itself
			cutConnection(w, r)
		case 2:
			hubError(w, r, 503, "", "")
		default:
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(fileContent))
		}
	})
	c := newClient(cdn.URL, "")
	c.Retry = fastRetry(5)
	r := c.ReaderAt(context.Background(), &hfgate.FileMetadata{Location: cdn.URL + "/f", Size: int64(len(fileContent))})
	p := make([]byte, 5)
	if n, err := r.ReadAt(p, 3); n != 5 || err != nil || string(p) != "34567" {
		t.Fatalf("ReadAt = %d, %v, %q", n, err, p)
	}
	if r.Requests() != 3 {
		t.Errorf("Requests = %d, want 3", r.Requests())
	}
}

func TestRangeReaderErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		code    string
		tries   int
	}{
		{"range ignored", func(w http.ResponseWriter, r *http.Request) { w.Write(fileContent) }, hfgate.EUNAVAILABLE, DefaultReaderAttempts},
		{"file shorter than said", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes */2")
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		}, hfgate.EINTEGRITY, 1},
		{"not found", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }, hfgate.ENOTFOUND, 1},
		{"stalls", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 8-11/30")
			w.WriteHeader(http.StatusPartialContent)
			w.Write([]byte("a"))
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}, hfgate.EUNAVAILABLE, DefaultReaderAttempts},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cdn := newFake(t, tt.handler)
			c := newClient(cdn.URL+"/hub", "")
			c.Retry = fastRetry(10)
			c.ReadTimeout = 50 * time.Millisecond
			r := c.ReaderAt(context.Background(), &hfgate.FileMetadata{Location: cdn.URL + "/f", Size: int64(len(fileContent))})
			_, err := r.ReadAt(make([]byte, 4), 8)
			wantCode(t, err, tt.code)
			if n := len(cdn.requests()); n != tt.tries {
				t.Errorf("%d requests, want %d", n, tt.tries)
			}
		})
	}
}

func TestRangeReaderCanceled(t *testing.T) {
	cdn := cdnFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := newClient(cdn.URL, "").ReaderAt(ctx, &hfgate.FileMetadata{Location: cdn.URL + "/f", Size: 36})
	_, err := r.ReadAt(make([]byte, 4), 0)
	wantCode(t, err, hfgate.ECANCELED)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled inside", err)
	}
}
