// Package kubotest starts real Kubo nodes for tests: "ipfs init --profile
// test" in a temporary IPFS_PATH, then "ipfs daemon --offline" with its RPC
// API and gateway on free loopback ports and no swarm, stopped when the test
// ends. There is no fake of the RPC API: tests talk to the real node.
//
// The ipfs binary is $HFGATE_IPFS_BIN, else "ipfs" on PATH; scripts/test
// builds Kubo once and sets both that and HFGATE_TEST_IPFS=1. Without a
// binary a test is skipped, or fails when HFGATE_TEST_IPFS=1, so that a run
// that is meant to test IPFS never passes by skipping.
package kubotest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hfgate/hfgate/kubo"
)

// Environment variables read by Bin.
const (
	EnvBin     = "HFGATE_IPFS_BIN"  // path of the ipfs binary
	EnvRequire = "HFGATE_TEST_IPFS" // "1": no binary fails the test instead of skipping it
)

// Bin returns the path of the ipfs binary, skipping or failing tb when
// there is none.
func Bin(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv(EnvBin)
	if bin == "" {
		bin, _ = exec.LookPath("ipfs")
	}
	if bin != "" {
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	msg := "no Kubo binary: set " + EnvBin + " to an ipfs binary (scripts/test builds Kubo v0.43.1 and sets it)"
	if os.Getenv(EnvRequire) == "1" {
		tb.Fatal(msg + ", or unset " + EnvRequire)
	}
	tb.Skip(msg)
	return ""
}

// Node is a running Kubo daemon with its own repository.
type Node struct {
	Bin  string // the ipfs binary
	Path string // the repository, IPFS_PATH
	API  kubo.API

	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{} // closed when the daemon exited
}

// Start initializes a repository in a temporary directory and starts a
// daemon on it, offline, on loopback ports, within 30 seconds. The daemon
// is stopped, and the repository removed, when tb ends.
func Start(tb testing.TB) *Node {
	tb.Helper()
	n := &Node{Bin: Bin(tb), Path: filepath.Join(tb.TempDir(), "ipfs"), log: &syncBuffer{}, done: make(chan struct{})}
	if out, err := n.command("init", "--profile", "test", "--empty-repo").CombinedOutput(); err != nil {
		tb.Fatalf("ipfs init: %v\n%s", err, out)
	}
	n.cmd = n.command("daemon", "--offline")
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		tb.Fatalf("ipfs daemon: %v", err)
	}
	go func() {
		n.cmd.Wait()
		close(n.done)
	}()
	tb.Cleanup(func() { n.stop(tb) })
	n.waitReady(tb)
	return n
}

// waitReady waits until the daemon wrote its api file and answers.
func (n *Node) waitReady(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			tb.Fatalf("ipfs daemon exited before it was ready:\n%s", n.log.String())
		default:
		}
		api, err := kubo.FindAPI("", n.Getenv)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err = (&kubo.Client{API: api.URL}).Version(ctx)
			cancel()
			if err == nil {
				n.API = api
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("ipfs daemon not ready within 30s:\n%s", n.log.String())
}

// Client returns a client of the node's RPC API.
func (n *Node) Client() *kubo.Client { return &kubo.Client{API: n.API.URL} }

// Getenv is an environment in which the node is the one to use: IPFS_PATH
// is its repository, and nothing else is set.
func (n *Node) Getenv(key string) string {
	if key == kubo.EnvPath {
		return n.Path
	}
	return ""
}

// Env returns os.Environ() with IPFS_PATH set to the node's repository and
// IPFS_API unset, for commands that must find this node.
func (n *Node) Env() []string {
	env := []string{kubo.EnvPath + "=" + n.Path}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, kubo.EnvPath+"=") && !strings.HasPrefix(kv, kubo.EnvAPI+"=") {
			env = append(env, kv)
		}
	}
	return env
}

func (n *Node) command(args ...string) *exec.Cmd {
	cmd := exec.Command(n.Bin, args...)
	cmd.Env = n.Env()
	return cmd
}

// IPFS runs the ipfs command line on the node's repository (through the
// daemon while it runs) with stdin, and returns its standard output with
// surrounding space trimmed. It fails tb on a non-zero exit.
func (n *Node) IPFS(tb testing.TB, stdin []byte, args ...string) string {
	tb.Helper()
	return strings.TrimSpace(string(n.Output(tb, stdin, args...)))
}

// Output is IPFS returning the standard output as it is, for content.
func (n *Node) Output(tb testing.TB, stdin []byte, args ...string) []byte {
	tb.Helper()
	cmd := n.command(args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("ipfs %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// Pins returns the CIDs pinned recursively on the node.
func (n *Node) Pins(tb testing.TB) []string {
	tb.Helper()
	return strings.Fields(n.IPFS(tb, nil, "pin", "ls", "--type=recursive", "--quiet"))
}

// Signal sends sig to the daemon: SIGSTOP freezes it (the kernel still
// accepts connections and buffers what they send), SIGCONT thaws it,
// SIGKILL kills it with no chance to clean up.
func (n *Node) Signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signal ipfs daemon: %v", err)
	}
}

// Kill kills the daemon at once and waits for it to exit. Its api file
// stays behind, as after a crash.
func (n *Node) Kill(tb testing.TB) {
	tb.Helper()
	n.Signal(tb, syscall.SIGKILL)
	<-n.done
}

// stop ends the daemon gracefully (it removes its api file), or kills it
// after 10 seconds.
func (n *Node) stop(tb testing.TB) {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGCONT) // a frozen daemon cannot exit
	n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		tb.Logf("ipfs daemon did not stop within 10s; killing it\n%s", n.log.String())
		n.cmd.Process.Kill()
		<-n.done
	}
}

// syncBuffer is a bytes.Buffer safe for the daemon's output goroutines
// and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
