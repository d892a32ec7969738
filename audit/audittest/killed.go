package audittest

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/audit"
)

// The child process learns its role and its database from these.
const (
	childEnv  = "HFGATE_AUDITTEST_CHILD"
	dsnEnv    = "HFGATE_AUDITTEST_DSN"
	readyLine = "audittest: intent recorded"
)

// Connect opens the store at dsn, which a child process opens too; it may
// register cleanups on t.
type Connect func(t testing.TB, dsn string) hfgate.AuditStore

// Killed runs a gateway process for real and kills it with SIGKILL between
// the intent and the end of a download, then checks that the next process
// of the same replica marks that download interrupted (and leaves a
// completed one complete), and that every chain still verifies.
//
// Call it from a top-level test, with a function that makes a new
// database and returns what Connect needs to reach it. The child process
// is the test binary itself, running the same test with an environment
// that tells Killed to play the gateway.
func Killed(t *testing.T, newDSN func(t testing.TB) string, connect Connect) {
	if os.Getenv(childEnv) == "1" {
		child(t, os.Getenv(dsnEnv), connect)
		return
	}
	if strings.Contains(t.Name(), "/") {
		t.Fatal("audittest.Killed must be called from a top-level test")
	}
	dsn := newDSN(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1", dsnEnv+"="+dsn)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := false
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if strings.Contains(sc.Text(), readyLine) {
			ready = true
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred function, no Close
		t.Fatal(err)
	}
	waitErr := cmd.Wait()
	if !ready {
		t.Fatalf("the gateway process ended before it recorded its intent: %v", waitErr)
	}

	store := connect(t, dsn)
	before, _, err := audit.Downloads(t.Context(), store, hfgate.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomesOf(before); got["killed"] != "open" || got["done"] != "complete" {
		t.Fatalf("before the restart: transfers %v, want killed open and done complete", got)
	}
	w, err := audit.Open(t.Context(), store, audit.Config{Replica: "gw-killed"})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer w.Close()
	after, _, err := audit.Downloads(t.Context(), store, hfgate.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcomesOf(after); got["killed"] != "interrupted" || got["done"] != "complete" || len(got) != 2 {
		t.Errorf("after the restart: transfers %v, want killed interrupted and done complete", got)
	}
	r, err := audit.Verify(t.Context(), store)
	if err != nil || !r.OK() {
		t.Errorf("Verify after the kill and restart = %v, %v; want no problems", r.Problems, err)
	}
}

// child plays the gateway: one download completes, the next one is in
// flight (its intent recorded) when the parent kills the process.
func child(t *testing.T, dsn string, connect Connect) {
	store := connect(t, dsn)
	w, err := audit.Open(t.Context(), store, audit.Config{Replica: "gw-killed"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*hfgate.AuditEvent{
		{Kind: hfgate.AuditKindIntent, RequestID: "done", Action: "download", Repo: "hubsim/tiny", File: "a.bin"},
		{Kind: hfgate.AuditKindEnd, RequestID: "done", Action: "download", Repo: "hubsim/tiny", File: "a.bin",
			Outcome: hfgate.AuditComplete, Bytes: 10, Status: 200},
		{Kind: hfgate.AuditKindIntent, RequestID: "killed", Action: "download", Repo: "hubsim/tiny", File: "b.bin"},
	} {
		if err := w.Record(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	os.Stdout.WriteString(readyLine + "\n")
	select {} // bytes flow until SIGKILL
}

func outcomesOf(ds []*audit.Download) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		out[d.Intent.RequestID] = string(d.Outcome())
		if d.End == nil {
			out[d.Intent.RequestID] = "open"
		}
	}
	return out
}
