package kubo_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/kubo"
	"github.com/hfgate/hfgate/kubo/kubotest"
)

// gatedReader serves data, but after at bytes it closes reached and waits
// for resume (or returns err, when set, instead of going on).
type gatedReader struct {
	data    []byte
	at      int
	reached chan struct{}
	resume  chan struct{}
	err     error
	off     int
}

func newGatedReader(data []byte, at int) *gatedReader {
	return &gatedReader{data: data, at: at, reached: make(chan struct{}), resume: make(chan struct{})}
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if g.off == g.at {
		close(g.reached)
		<-g.resume
		g.at = -1
		if g.err != nil {
			return 0, g.err
		}
	}
	if g.off >= len(g.data) {
		return 0, io.EOF
	}
	end := len(g.data)
	if g.at > g.off {
		end = min(end, g.at)
	}
	n := copy(p, g.data[g.off:end])
	g.off += n
	return n, nil
}

// noNewPins fails unless the node's recursive pins are exactly before.
func noNewPins(t *testing.T, node *kubotest.Node, before []string) {
	t.Helper()
	if after := node.Pins(t); !slices.Equal(after, before) {
		t.Fatalf("pins changed from %v to %v", before, after)
	}
}

func TestNoNode(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := &kubo.Client{API: &url.URL{Scheme: "http", Host: addr}}
	ctx := context.Background()
	calls := map[string]func() error{
		"Version": func() error { _, err := c.Version(ctx); return err },
		"Pinned": func() error {
			_, err := c.Pinned(ctx, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")
			return err
		},
		"Add": func() error { _, err := c.Add(ctx, "x", strings.NewReader("x"), 1, nil); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, hfgate.ErrNoIPFSNode) || hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
				t.Fatalf("%s with no node: %v (code %s); want EUNAVAILABLE wrapping ErrNoIPFSNode", name, err, hfgate.ErrorCode(err))
			}
			if want := "no IPFS node answers at " + addr; hfgate.ErrorMessage(err) != want {
				t.Errorf("message %q, want %q", hfgate.ErrorMessage(err), want)
			}
		})
	}
}

// TestAddBrokenOffPinsNothing shows that an add whose reader fails, or
// holds other than size bytes, never completes on the node.
func TestAddBrokenOffPinsNothing(t *testing.T) {
	node := kubotest.Start(t)
	c := node.Client()
	before := node.Pins(t)
	data := randomBytes(2<<20, 7)
	changed := hfgate.Errorf(hfgate.EINTEGRITY, "the file changed")
	tests := []struct {
		name string
		r    io.Reader
		size int64
		is   error  // errors.Is
		code string // or this code
	}{
		{"reader fails at the end", io.MultiReader(bytes.NewReader(data), &failingReader{changed}), int64(len(data)), changed, hfgate.EINTEGRITY},
		{"reader fails midway", io.MultiReader(bytes.NewReader(data[:1<<20]), &failingReader{io.ErrUnexpectedEOF}), int64(len(data)), io.ErrUnexpectedEOF, hfgate.EINTERNAL},
		{"fewer bytes than size", bytes.NewReader(data), int64(len(data)) + 1, nil, hfgate.EINVALID},
		{"more bytes than size", bytes.NewReader(data), int64(len(data)) - 1, nil, hfgate.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cid, err := c.Add(context.Background(), "x.bin", tt.r, tt.size, nil)
			if err == nil {
				t.Fatalf("Add = %s, want an error", cid)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Add error %v does not wrap %v", err, tt.is)
			}
			if got := hfgate.ErrorCode(err); got != tt.code {
				t.Errorf("code %s, want %s (%v)", got, tt.code, err)
			}
			noNewPins(t, node, before)
		})
	}
	if _, err := c.Version(context.Background()); err != nil {
		t.Fatalf("the node no longer answers: %v", err)
	}
}

type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestNodeKilledMidAdd kills the daemon while it is receiving a file.
func TestNodeKilledMidAdd(t *testing.T) {
	node := kubotest.Start(t)
	before := node.Pins(t)
	data := randomBytes(8<<20, 8)
	g := newGatedReader(data, 4<<20)
	errc := make(chan error, 1)
	go func() {
		_, err := node.Client().Add(context.Background(), "x.bin", g, int64(len(data)), nil)
		errc <- err
	}()
	<-g.reached
	node.Kill(t)
	close(g.resume)
	err := <-errc
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE {
		t.Fatalf("Add with the node killed: %v (code %s); want EUNAVAILABLE", err, hfgate.ErrorCode(err))
	}
	if msg := hfgate.ErrorMessage(err); !strings.Contains(msg, "stopped answering during add") {
		t.Errorf("message %q does not say the node stopped answering", msg)
	}
	noNewPins(t, node, before) // read from the repository, the daemon being gone
}

func TestAddStalls(t *testing.T) {
	node := kubotest.Start(t)
	before := node.Pins(t)
	c := node.Client()
	c.StallTimeout = 300 * time.Millisecond
	node.Signal(t, syscall.SIGSTOP) // connections still open; nothing reads them
	data := randomBytes(64<<20, 9)  // more than the socket buffers hold
	_, err := c.Add(context.Background(), "x.bin", bytes.NewReader(data), int64(len(data)), nil)
	node.Signal(t, syscall.SIGCONT)
	if hfgate.ErrorCode(err) != hfgate.EUNAVAILABLE || !strings.Contains(hfgate.ErrorMessage(err), "stopped reading and answering during add") {
		t.Fatalf("Add to a frozen node: %v; want EUNAVAILABLE saying it stalled", err)
	}
	noNewPins(t, node, before)
}

func TestAddCanceled(t *testing.T) {
	node := kubotest.Start(t)
	before := node.Pins(t)
	data := randomBytes(4<<20, 10)
	g := newGatedReader(data, 1<<20)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := node.Client().Add(ctx, "x.bin", g, int64(len(data)), nil)
		errc <- err
	}()
	<-g.reached
	cancel()
	close(g.resume)
	err := <-errc
	if !errors.Is(err, context.Canceled) || hfgate.ErrorCode(err) != hfgate.ECANCELED {
		t.Fatalf("canceled Add: %v; want ECANCELED wrapping context.Canceled", err)
	}
	noNewPins(t, node, before)
}
