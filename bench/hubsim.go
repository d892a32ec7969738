package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hfgate/hfgate/bench/internal/report"
)

// hubsimProc is hubsim running as its own process, driven through its
// admin routes (/_hubsim/faults, /_hubsim/counters, /_hubsim/reset).
type hubsimProc struct {
	cmd      *exec.Cmd
	hub, cdn string
	log      func(format string, args ...any)
}

// adminClient talks to hubsim directly, never through a proxy.
var adminClient = &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}

// fault is the JSON of a hubsim FaultRule (hubsim/faults.go); only the
// fields the benchmarks use.
type fault struct {
	Host             string `json:"host,omitempty"`
	PathPrefix       string `json:"pathPrefix,omitempty"`
	Latency          string `json:"latency,omitempty"`
	BandwidthPerConn int64  `json:"bandwidthPerConn,omitempty"`
}

// counts is one line of hubsim's Counters.
type counts struct {
	Requests int64 `json:"requests"`
	Bytes    int64 `json:"bytes"`
}

// counters is the JSON of GET /_hubsim/counters.
type counters struct {
	Routes map[string]counts `json:"routes"`
	Hosts  map[string]counts `json:"hosts"`
}

// startHubsim runs argv ("hfgate hubsim --json ...", which prints
// {"hub":URL,"cdn":URL} once listening) and waits for the URLs.
func startHubsim(ctx context.Context, argv []string, logFile string, log func(string, ...any)) (*hubsimProc, error) {
	stderr, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	defer stderr.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = stderr
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	log("$ %s &", report.ShellJoin(argv))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start hubsim: %w", err)
	}
	h := &hubsimProc{cmd: cmd, log: log}
	lines := bufio.NewScanner(out)
	for h.hub == "" && lines.Scan() {
		var urls struct{ Hub, CDN string }
		if json.Unmarshal(lines.Bytes(), &urls) == nil {
			h.hub, h.cdn = urls.Hub, urls.CDN
		}
	}
	if h.hub == "" || h.cdn == "" {
		h.stop()
		return nil, fmt.Errorf("hubsim printed no URLs (see %s)", logFile)
	}
	go io.Copy(io.Discard, out)
	return h, nil
}

// stop interrupts hubsim and waits for it to exit.
func (h *hubsimProc) stop() {
	h.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		h.cmd.Process.Kill()
		<-done
	}
}

// cpu returns the CPU time (user + system) hubsim has used so far, from
// /proc/PID/stat (in clock ticks, 100 per second on Linux); 0 if unknown.
func (h *hubsimProc) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", h.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the command name in parentheses: state is field 3,
	// utime and stime are fields 14 and 15.
	_, rest, _ := strings.Cut(string(data), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// setFaults replaces hubsim's fault rules (none: no faults).
func (h *hubsimProc) setFaults(ctx context.Context, rules ...fault) error {
	if rules == nil {
		rules = []fault{}
	}
	body, _ := json.Marshal(rules)
	h.log("# hubsim: PUT /_hubsim/faults %s", body)
	return h.admin(ctx, http.MethodPut, "/_hubsim/faults", body, nil)
}

// reset clears the faults and zeroes the counters.
func (h *hubsimProc) reset(ctx context.Context) error {
	h.log("# hubsim: POST /_hubsim/reset")
	return h.admin(ctx, http.MethodPost, "/_hubsim/reset", nil, nil)
}

// counters returns the request and byte counters since the last reset.
func (h *hubsimProc) counters(ctx context.Context) (counters, error) {
	var c counters
	err := h.admin(ctx, http.MethodGet, "/_hubsim/counters", nil, &c)
	return c, err
}

func (h *hubsimProc) admin(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, h.hub+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp, err := adminClient.Do(req)
	if err != nil {
		return fmt.Errorf("hubsim %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("hubsim %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("hubsim %s %s: %s: %s", method, path, resp.Status, data)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
