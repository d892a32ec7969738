package credstore

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
)

// Some tests need a second process: godbus caches its session-bus connection
// for the life of a process, and file locks are only worth testing between
// processes. They re-execute this test binary, running only
// TestHelperProcess with $CREDSTORE_TEST_HELPER naming what to do and
// $CREDSTORE_TEST_DIR the Store's directory.
const (
	helperEnv    = "CREDSTORE_TEST_HELPER"
	helperDirEnv = "CREDSTORE_TEST_DIR"
)

// TestHelperProcess is not a test on its own: it is the body of the
// subprocesses that helperCmd starts, and does nothing otherwise.
func TestHelperProcess(t *testing.T) {
	name := os.Getenv(helperEnv)
	if name == "" {
		return
	}
	dir := os.Getenv(helperDirEnv)
	n := new(notices)
	s := &Store{
		ConfigDir: dir,
		HFHome:    dir + "/hf",
		Getenv:    func(string) string { return "" },
		Keyring:   SystemKeyring{},
		Notice:    n.add,
	}
	switch name {
	case "nodbus":
		helperNoDBus(t, s, n)
	case "lock-hold":
		helperLockHold(t, s)
	case "lock-probe":
		helperLockProbe(t, s)
	default:
		t.Fatalf("unknown helper %q", name)
	}
}

// helperCmd returns a command that runs the named helper on dir.
func helperCmd(t *testing.T, name, dir string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, helperDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	return cmd
}

// helperLockHold takes the lock on hubsim, prints "locked", and holds the
// lock until its stdin is closed.
func helperLockHold(t *testing.T, s *Store) {
	unlock, err := s.Lock(context.Background(), hubsim, local)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Error(err)
	}
	unlock()
}

// helperLockProbe tries to take the lock on hubsim for a moment and prints
// "acquired" or "timeout".
func helperLockProbe(t *testing.T, s *Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	unlock, err := s.Lock(ctx, hubsim, local)
	switch hfgate.ErrorCode(err) {
	case "":
		unlock()
		fmt.Println("acquired")
	case hfgate.EUNAVAILABLE:
		fmt.Println("timeout")
	default:
		t.Fatal(err)
	}
}

// readLine reads lines from r until one equals want.
func readLine(t *testing.T, r io.Reader, want string) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == want {
			return
		}
	}
	t.Fatalf("helper ended without printing %q (%v)", want, sc.Err())
}
