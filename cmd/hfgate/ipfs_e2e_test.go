package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hfgate/hfgate/hubsim"
	"github.com/hfgate/hfgate/kubo/kubotest"
)

// These tests run the real binary against hubsim and a real Kubo daemon
// (kubotest), found through IPFS_PATH as a user's node is.

// withNode starts a node and points the binary at it.
func (e *e2e) withNode() *kubotest.Node {
	node := kubotest.Start(e.t)
	e.setenv("IPFS_PATH", node.Path)
	return node
}

// cidLine parses a "CID  PATH" line of --ipfs output.
func cidLine(t *testing.T, stdout string) (cid, path string) {
	t.Helper()
	cid, path, ok := strings.Cut(strings.TrimSpace(stdout), "  ")
	if !ok || strings.Contains(path, "\n") {
		t.Fatalf("stdout %q: want one line \"CID  PATH\"", stdout)
	}
	return cid, path
}

// jsonLines decodes every line of --json output.
func jsonLines(t *testing.T, stdout string) []jsonEvent {
	t.Helper()
	var evs []jsonEvent
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var ev jsonEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("--json line %q: %v", sc.Text(), err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// ipfsLs runs "hfgate ipfs ls --json".
func (e *e2e) ipfsLs() ipfsLsOutput {
	e.t.Helper()
	var out ipfsLsOutput
	if err := json.Unmarshal([]byte(e.mustRun("", "ipfs", "ls", "--json").stdout), &out); err != nil {
		e.t.Fatal(err)
	}
	return out
}

func TestE2EDownloadToIPFS(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	node := e.withNode()
	const file = "tiny-llama-Q4_K_M.gguf"
	cid, path := cidLine(t, e.mustRun("", "download", hubsim.RepoTiny, file, "--ipfs").stdout)
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := node.IPFS(t, content, "add", "--only-hash", "--cid-version=1", "--raw-leaves", "--quiet"); cid != want {
		t.Fatalf("printed CID %s; ipfs add --only-hash --cid-version=1 --raw-leaves says %s", cid, want)
	}
	if !slices.Contains(node.Pins(t), cid) {
		t.Fatalf("ipfs pin ls does not list %s", cid)
	}
	sum := sha256.Sum256(node.Output(t, nil, "cat", cid))
	if got, want := hex.EncodeToString(sum[:]), e.stat(hubsim.RepoTiny, file).SHA256; got != want {
		t.Fatalf("ipfs cat %s: sha256 %s, want the file's %s", cid, got, want)
	}

	// cache ls --json shows the CID beside the file.
	var ls cacheLsOutput
	if err := json.Unmarshal([]byte(e.mustRun("", "cache", "ls", "--json").stdout), &ls); err != nil {
		t.Fatal(err)
	}
	if f := ls.Repos[0].Revisions[0].Files[0]; f.Path != file || f.IPFSCID != cid {
		t.Fatalf("cache ls --json: %+v, want %s with ipfs_cid %s", f, file, cid)
	}

	// A second --ipfs sends nothing.
	evs := jsonLines(t, e.mustRun("", "download", hubsim.RepoTiny, file, "--ipfs", "--json").stdout)
	var kinds []string
	for _, ev := range evs {
		if strings.HasPrefix(ev.Kind, "ipfs_") {
			kinds = append(kinds, ev.Kind)
		}
	}
	last := evs[len(evs)-1]
	if !slices.Equal(kinds, []string{"ipfs_start", "ipfs_done"}) || len(last.Pins) != 1 || !last.Pins[0].AlreadyPinned || last.Pins[0].CID != cid {
		t.Fatalf("second download --ipfs: ipfs events %v, result %+v; want it already pinned, nothing sent", kinds, last)
	}

	// ipfs ls lists it; ipfs rm unpins it.
	pins := e.ipfsLs().Pins
	if len(pins) != 1 || pins[0].CID != cid || pins[0].File != file || pins[0].Pinned == nil || !*pins[0].Pinned ||
		pins[0].SHA256 != e.stat(hubsim.RepoTiny, file).SHA256 {
		t.Fatalf("ipfs ls --json: %+v", pins)
	}
	table := e.mustRun("", "ipfs", "ls").stdout
	if !strings.Contains(table, cid) || !strings.Contains(table, hubsim.RepoTiny) || !strings.Contains(table, " yes\n") {
		t.Fatalf("ipfs ls:\n%s", table)
	}
	if r := e.mustRun("", "ipfs", "rm", hubsim.RepoTiny, file); !strings.Contains(r.stdout, "unpinned "+cid) {
		t.Fatalf("ipfs rm: %q", r.stdout)
	}
	if slices.Contains(node.Pins(t), cid) || len(e.ipfsLs().Pins) != 0 {
		t.Fatal("still pinned or recorded after ipfs rm")
	}

	// ipfs add pins a cached file again, and says where it is.
	if got, _ := cidLine(t, e.mustRun("", "ipfs", "add", hubsim.RepoTiny, file).stdout); got != cid {
		t.Fatalf("ipfs add: CID %s, want %s", got, cid)
	}
	if !strings.Contains(e.mustRun("", "ipfs", "status").stdout, "IPFS node "+node.IPFS(t, nil, "version", "--number")) {
		t.Error("ipfs status does not give the node's version")
	}
	// Removing the repository from the cache says that its pins stay.
	if r := e.mustRun("", "cache", "rm", hubsim.RepoTiny, "--yes"); !strings.Contains(r.stderr, "1 file(s) of "+hubsim.RepoTiny+" are pinned on IPFS") {
		t.Errorf("cache rm of a pinned repo does not warn:\n%s", r.stderr)
	}
}

func TestE2EIPFSNoNode(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	e.setenv("IPFS_PATH", t.TempDir()) // no daemon ever ran there
	const file = "tiny-llama-Q2_K.gguf"
	r := e.run("", "download", hubsim.RepoTiny, file, "--ipfs")
	if r.code != exitNoNode || !strings.Contains(r.stderr, `start one with "ipfs daemon"`) {
		t.Fatalf("download --ipfs with no node: exit %d, want %d and how to start one:\n%s", r.code, exitNoNode, r.stderr)
	}
	if e.cdnBytes() != 0 {
		t.Error("downloaded before finding out that there is no node")
	}
	if r := e.run("", "ipfs", "status"); r.code != exitNoNode {
		t.Fatalf("ipfs status with no node: exit %d, want %d", r.code, exitNoNode)
	}
	e.mustRun("", "download", hubsim.RepoTiny, file)
	if r := e.run("", "ipfs", "add", hubsim.RepoTiny, file); r.code != exitNoNode {
		t.Fatalf("ipfs add with no node: exit %d, want %d", r.code, exitNoNode)
	}
	if r := e.run("", "ipfs", "add", hubsim.RepoTiny, file, "--ipfs-api", "/unix/tmp/x"); r.code != exitUsage || !strings.Contains(r.stderr, "--ipfs-api") {
		t.Fatalf("a bad --ipfs-api: exit %d, want %d naming the flag:\n%s", r.code, exitUsage, r.stderr)
	}
	if out := e.ipfsLs(); len(out.Pins) != 0 {
		t.Fatalf("ipfs ls: %+v", out)
	}
}

// TestE2EIPFSNodeKilledMidAdd kills the node while a 400 MB file is being
// added: a clean error, and nothing recorded or pinned.
func TestE2EIPFSNodeKilledMidAdd(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	node := e.withNode()
	before := node.Pins(t)
	p := e.start("download", bigRepo, bigFile, "--ipfs")
	p.waitLine(t, bigFile+" → IPFS: 10%")
	node.Kill(t)
	r := e.wait(p)
	if r.code != exitUnavailable || !strings.Contains(r.stderr, "stopped answering during add") {
		t.Fatalf("node killed mid-add: exit %d, want %d saying the node stopped answering:\n%s", r.code, exitUnavailable, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout %q: no CID may be printed", r.stdout)
	}
	e.verify(bigRepo, true) // the download itself is complete
	if out := e.ipfsLs(); len(out.Pins) != 0 {
		t.Fatalf("recorded %+v", out.Pins)
	}
	if got := node.Pins(t); !slices.Equal(got, before) { // read from the repository, the daemon being gone
		t.Fatalf("pins changed from %v to %v", before, got)
	}
}

// TestE2EIPFSChangedFile changes a downloaded blob: ipfs add refuses it.
func TestE2EIPFSChangedFile(t *testing.T) {
	e := newE2E(t, hubsim.Options{})
	node := e.withNode()
	before := node.Pins(t)
	const file = "tiny-llama-Q2_K.gguf"
	e.mustRun("", "download", hubsim.RepoTiny, file)
	blob, err := e.cacheRepo(hubsim.RepoTiny).BlobPath(e.stat(hubsim.RepoTiny, file).SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(blob, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("", "ipfs", "add", hubsim.RepoTiny, file)
	if r.code != exitIntegrity || !strings.Contains(r.stderr, "changed on disk since it was verified") ||
		!strings.Contains(r.stderr, "hfgate cache verify") {
		t.Fatalf("ipfs add of a changed file: exit %d, want %d and what to do:\n%s", r.code, exitIntegrity, r.stderr)
	}
	if got := node.Pins(t); !slices.Equal(got, before) {
		t.Fatalf("pins changed from %v to %v", before, got)
	}
	if out := e.ipfsLs(); len(out.Pins) != 0 {
		t.Fatalf("recorded %+v", out.Pins)
	}
}
