package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hfgate/hfgate"
	"github.com/hfgate/hfgate/hubsim"
)

// TestUIPinToIPFS: with no node running the web app says how to start
// one; with a node, "Pin to IPFS" on a downloaded file pins it there and
// the CID is the node's own for those bytes, shown from then on with the
// file on the model page and in the downloads list (which the next launch
// rebuilt from the cache).
func TestUIPinToIPFS(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	e.setenv("IPFS_PATH", t.TempDir()+"/ipfs") // no node there
	p, launch := e.startWeb("ui")
	o := openLaunch(t, launch)
	getJSON := func(path string, v any) {
		t.Helper()
		status, body := request(t, o.Client, "GET", o.base+path, "", nil)
		if status != http.StatusOK || json.Unmarshal([]byte(body), v) != nil {
			t.Fatalf("GET %s: %d %s", path, status, body)
		}
	}
	var st struct {
		Available bool
		Message   string
	}
	getJSON("/api/ipfs", &st)
	if st.Available || !strings.Contains(st.Message, "ipfs daemon") {
		t.Errorf("no node: %+v, want unavailable and how to start one", st)
	}
	const pin = `{"repo":"hubsim/tiny-llama-GGUF","file":"tiny-llama-Q2_K.gguf"}`
	if status, body := request(t, o.Client, "POST", o.base+"/api/ipfs/pins", pin, nil); status != http.StatusBadGateway || !strings.Contains(body, "ipfs daemon") {
		t.Errorf("pin with no node: %d %s, want 502 saying how to start one", status, body)
	}

	if status, body := request(t, o.Client, "POST", o.base+"/api/downloads", pin, nil); status != http.StatusCreated {
		t.Fatalf("download: %d %s", status, body)
	}
	var list struct {
		Downloads []struct {
			State     string
			LocalPath string `json:"local_path"`
			CID       string
		}
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		getJSON("/api/downloads", &list)
		if len(list.Downloads) == 1 && list.Downloads[0].State == "done" || time.Now().After(deadline) {
			break
		}
	}

	if list.Downloads[0].State != "done" {
		t.Fatalf("the download did not finish: %+v", list)
	}
	p.cmd.Process.Kill()

	// The next launch, with a node running.
	node := e.withNode()
	_, launch = e.startWeb("ui")
	o = openLaunch(t, launch)
	getJSON("/api/downloads", &list)
	if len(list.Downloads) != 1 || list.Downloads[0].State != "done" || list.Downloads[0].LocalPath == "" {
		t.Fatalf("the downloads list after a restart: %+v, want the finished file, rebuilt from the cache", list)
	}
	getJSON("/api/ipfs", &st)
	if !st.Available {
		t.Fatalf("a node runs at %s, and the app says %+v", node.Path, st)
	}
	status, body := request(t, o.Client, "POST", o.base+"/api/ipfs/pins", pin, nil)
	var res struct{ CID string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &res) != nil || !hfgate.IsCID(res.CID) {
		t.Fatalf("pin: %d %s", status, body)
	}
	data, err := os.ReadFile(list.Downloads[0].LocalPath)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSpace(node.IPFS(t, data, "add", "--only-hash", "--quiet", "--cid-version=1", "--raw-leaves")); res.CID != want {
		t.Errorf("CID %s, want %s (ipfs add --only-hash of the same bytes)", res.CID, want)
	}
	if pins := node.IPFS(t, nil, "pin", "ls", "--type=recursive", "--quiet"); !strings.Contains(pins, res.CID) {
		t.Errorf("ipfs pin ls does not list %s:\n%s", res.CID, pins)
	}
	getJSON("/api/downloads", &list)
	if list.Downloads[0].CID != res.CID {
		t.Errorf("the downloads list shows CID %q, want %s", list.Downloads[0].CID, res.CID)
	}
	var m struct {
		Files []struct{ Path, CID string }
	}
	getJSON("/api/models/hubsim/tiny-llama-GGUF", &m)
	for _, f := range m.Files {
		if f.Path == "tiny-llama-Q2_K.gguf" && f.CID != res.CID {
			t.Errorf("the model page shows CID %q for the file, want %s", f.CID, res.CID)
		}
	}
}
