package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/hubsim/hubsimtest"
)

// hubEnv runs hfgate commands in process, through run, against one hubsim
// with HOME, HF_HOME and the config directory in a fresh temporary folder.
type hubEnv struct {
	t   *testing.T
	hub *hubsim.Server
	env map[string]string
}

func newHubEnv(t *testing.T) *hubEnv {
	t.Helper()
	home := t.TempDir()
	h := &hubEnv{t: t, hub: hubsimtest.Start(t, hubsim.Options{}), env: map[string]string{
		"HOME":            home,
		"HF_HOME":         filepath.Join(home, "hf"),
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
	}}
	h.env["HF_ENDPOINT"] = h.hub.URL()
	return h
}

// cmdResult is one finished command.
type cmdResult struct {
	out, err string
	code     int
}

// hfgate runs one command line and returns what it printed and its exit
// status.
func (h *hubEnv) hfgate(args ...string) cmdResult {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &stdio{In: strings.NewReader(""), Out: &out, Err: &errb},
		func(k string) string { return h.env[k] })
	h.t.Logf("hfgate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	return cmdResult{out: out.String(), err: errb.String(), code: code}
}

// mustJSON runs a command that must succeed and decodes its stdout into v.
func (h *hubEnv) mustJSON(v any, args ...string) {
	h.t.Helper()
	r := h.hfgate(args...)
	if r.code != 0 {
		h.t.Fatalf("hfgate %s: exit %d: %s", strings.Join(args, " "), r.code, r.err)
	}
	if err := json.Unmarshal([]byte(r.out), v); err != nil {
		h.t.Fatalf("hfgate %s: %v in %s", strings.Join(args, " "), err, r.out)
	}
}

// tableRow returns the fields of the first line of a table that starts
// with first (split on runs of two or more spaces), or fails the test.
func tableRow(t *testing.T, table, first string) []string {
	t.Helper()
	for _, line := range strings.Split(table, "\n") {
		if strings.HasPrefix(line, first+" ") {
			var cells []string
			for _, c := range strings.Split(line, "  ") {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			return cells
		}
	}
	t.Fatalf("no row %q in:\n%s", first, table)
	return nil
}
